import CSystem
import Glibc

/// The thread-specific slot that tells a thread which loop (if any) it runs.
private let currentLoopKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// One thread running `epoll_wait`, timers and Swift jobs. It is a `TaskExecutor` (SE-0417):
/// connection tasks started with `Task(executorPreference: loop)` resume on this thread without
/// hops, so suspending for socket readiness costs tens of nanoseconds, not a cross-thread wake.
/// All I/O state attached to a loop is touched only on its thread.
public final class EventLoop: TaskExecutor, @unchecked Sendable {
    /// Position of this loop in its group.
    public let index: Int
    let epollFD: Int32
    private let wakeFD: Int32
    private static let wakeToken: UInt64 = .max

    private let remoteLock = PThreadLock()
    private var remoteJobs: [UnownedJob] = []            // guarded by remoteLock
    private var remoteCallbacks: [() -> Void] = []       // guarded by remoteLock
    private var wakePending = false                      // guarded by remoteLock
    private var stopRequested = false                    // guarded by remoteLock

    private var localJobs: [UnownedJob] = []
    private var runningJobs: [UnownedJob] = []
    var timers = TimerQueue()
    /// Returns memory to the kernel after bursts of closed or parked connections.
    let trimmer = MemoryTrimmer()
    /// Cached monotonic time, refreshed after every wait; good enough for ms-scale timeouts.
    private(set) var now: UInt64 = MonotonicClock.now()
    /// Shared read buffer: every read on this loop lands here and is consumed before the next
    /// suspension, so idle connections hold no read buffer of their own.
    let scratch: UnsafeMutableRawBufferPointer
    private var handles: [IOHandle?] = []
    private var freeSlots: [Int] = []
    private var nextGeneration: UInt32 = 0
    private var thread: pthread_t?

    init(index: Int) throws(IOError) {
        self.index = index
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        if epollFD < 0 { throw IOError.errno(errno, "epoll_create1") }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        if wakeFD < 0 { let e = errno; Glibc.close(epollFD); throw IOError.errno(e, "eventfd") }
        scratch = .allocate(byteCount: 64 * 1024, alignment: 16)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = EventLoop.wakeToken
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) != 0 {
            let e = errno
            Glibc.close(wakeFD); Glibc.close(epollFD); scratch.deallocate()
            throw IOError.errno(e, "epoll_ctl(eventfd)")
        }
    }

    deinit {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
        scratch.deallocate()
    }

    /// The loop whose thread is calling, if any.
    public static var current: EventLoop? {
        guard let raw = pthread_getspecific(currentLoopKey) else { return nil }
        return Unmanaged<EventLoop>.fromOpaque(raw).takeUnretainedValue()
    }

    /// True on this loop's own thread.
    public var inEventLoop: Bool {
        pthread_getspecific(currentLoopKey) == Unmanaged.passUnretained(self).toOpaque()
    }

    // MARK: Executor

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inEventLoop {
            localJobs.append(job)
            return
        }
        remoteLock.lock()
        remoteJobs.append(job)
        let wake = !wakePending
        wakePending = true
        remoteLock.unlock()
        if wake { signalWake() }
    }

    /// Runs `body` on the loop thread soon (never inline).
    public func execute(_ body: @escaping @Sendable () -> Void) {
        remoteLock.lock()
        remoteCallbacks.append(body)
        let wake = !wakePending
        wakePending = true
        remoteLock.unlock()
        if wake { signalWake() }
    }

    /// Runs `body` on this loop: inline when already there, else by hopping with a task executor
    /// preference (the cost of one cross-thread wake).
    func run<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        if inEventLoop { return try await body() }
        return try await withTaskExecutorPreference(self) { try await body() }
    }

    private func signalWake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    // MARK: Timers

    /// Arms `timer` to fire `after` from now (loop thread only).
    func arm(_ timer: LoopTimer, after duration: Duration) {
        timers.arm(timer, at: MonotonicClock.deadline(after: duration, from: now))
    }

    func arm(_ timer: LoopTimer, at deadline: UInt64) { timers.arm(timer, at: deadline) }
    func disarm(_ timer: LoopTimer) { timers.disarm(timer) }
    /// Disarms `timer` and drops it from the heap now: for owners that are closing.
    func cancel(_ timer: LoopTimer) { timers.cancel(timer) }

    /// Refreshes the cached clock (after long synchronous work on the loop thread).
    func refreshNow() { now = MonotonicClock.now() }

    /// Something sizeable was freed on this loop's thread (a closed or parked connection, a
    /// deleted route); after a burst the loop returns free heap pages to the kernel.
    public func noteMemoryReleased() {
        guard inEventLoop else { return }
        trimmer.noteReleased(on: self)
    }

    /// Suspends the calling task (which must run on this loop) for `duration`.
    public func sleep(for duration: Duration) async {
        await withTaskExecutorPreference(self) {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let timer = LoopTimer {}
                timer.action = { continuation.resume() }
                self.arm(timer, after: duration)
            }
        }
    }

    // MARK: Registry

    func register(_ handle: IOHandle) {
        // A fresh generation per registration lets a stale event for a reused slot be recognised.
        nextGeneration &+= 1
        handle.generation = nextGeneration
        if let slot = freeSlots.popLast() {
            handles[slot] = handle
            handle.slot = slot
        } else {
            handle.slot = handles.count
            handles.append(handle)
        }
    }

    func unregister(_ handle: IOHandle) {
        guard handle.slot >= 0, handle.slot < handles.count, handles[handle.slot] === handle else { return }
        handles[handle.slot] = nil
        freeSlots.append(handle.slot)
        handle.slot = -1
    }

    /// Number of registered file descriptors (tests, metrics).
    var registeredCount: Int { handles.count - freeSlots.count }

    // MARK: Running

    func start() throws(IOError) {
        var tid = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&tid, nil, { raw in
            guard let raw else { return nil }
            let loop = Unmanaged<EventLoop>.fromOpaque(raw).takeRetainedValue()
            loop.runLoop()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            throw IOError.errno(rc, "pthread_create")
        }
        thread = tid
    }

    /// Asks the loop to stop after its current iteration; `join` waits for it.
    func requestStop() {
        remoteLock.withLock { stopRequested = true }
        signalWake()
    }

    func join() {
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    private func runLoop() {
        pthread_setspecific(currentLoopKey, Unmanaged.passUnretained(self).toOpaque())
        csystem_set_thread_name("pawshub-loop-\(index)")
        csystem_set_counter_shard(Int32(index))
        let capacity: Int32 = 512
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        defer { events.deallocate() }
        while true {
            let timeout: Int32
            if !localJobs.isEmpty {
                timeout = 0
            } else if let next = timers.nextDeadline {
                let current = MonotonicClock.now()
                timeout = next <= current ? 0 : Int32(clamping: (next - current + 999_999) / 1_000_000)
            } else {
                timeout = -1
            }
            let count = epoll_wait(epollFD, events, capacity, timeout)
            now = MonotonicClock.now()
            if count > 0 {
                for i in 0..<Int(count) { dispatch(events[i]) }
            }
            // One queue access per timer: actions re-enter the queue (arm, disarm).
            while let timer = timers.popDue(now: now) { timer.action() }
            if drainRemote() { break }
            runLocalJobs()
        }
        pthread_setspecific(currentLoopKey, nil)
    }

    private func dispatch(_ event: epoll_event) {
        let token = event.data.u64
        if token == EventLoop.wakeToken {
            var value: UInt64 = 0
            _ = Glibc.read(wakeFD, &value, 8)
            return
        }
        let slot = Int(token & 0xffff_ffff)
        let generation = UInt32(truncatingIfNeeded: token >> 32)
        guard slot < handles.count, let handle = handles[slot], handle.generation == generation else { return }
        handle.handleEvents(event.events)
    }

    /// Moves cross-thread work onto the loop; returns true when the loop should exit.
    private func drainRemote() -> Bool {
        remoteLock.lock()
        wakePending = false
        let stop = stopRequested
        var callbacks: [() -> Void] = []
        if !remoteCallbacks.isEmpty { swap(&callbacks, &remoteCallbacks) }
        if !remoteJobs.isEmpty {
            localJobs.append(contentsOf: remoteJobs)
            remoteJobs.removeAll(keepingCapacity: true)
        }
        remoteLock.unlock()
        for callback in callbacks { callback() }
        return stop
    }

    private func runLocalJobs() {
        // A budget keeps ping-ponging tasks from starving I/O; leftovers run after a zero-timeout poll.
        var budget = 4096
        let executor = asUnownedTaskExecutor()
        while !localJobs.isEmpty && budget > 0 {
            swap(&localJobs, &runningJobs)
            for job in runningJobs { job.runSynchronously(on: executor) }
            budget -= runningJobs.count
            runningJobs.removeAll(keepingCapacity: true)
        }
    }
}
