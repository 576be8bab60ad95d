import Glibc
import Testing
@testable import HTTP

@Suite("Event loop: executor, timers, signals")
struct LoopExecutorTests {
    @Test("a task preferring a loop runs on that loop's thread, also after suspending")
    func runsOnLoop() async throws {
        let group = try EventLoopGroup(threads: 2)
        defer { group.shutdown() }
        let loop = group.loops[1]
        let (before, after) = await Task(executorPreference: loop) { () -> (Bool, Bool) in
            let before = EventLoop.current === loop
            await loop.sleep(for: .milliseconds(5))
            return (before, EventLoop.current === loop)
        }.value
        #expect(before && after)
        #expect(EventLoop.current == nil)
    }

    @Test("timers fire in deadline order, and re-arming later moves a timer without firing it early")
    func timerOrder() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let fired = await withCheckedContinuation { (continuation: CheckedContinuation<[String], Never>) in
            loop.execute {
                var order: [String] = []
                let late = LoopTimer {}
                let early = LoopTimer {}
                let moved = LoopTimer {}
                late.action = {
                    order.append("late")
                    continuation.resume(returning: order)
                }
                early.action = { order.append("early") }
                moved.action = { order.append("moved") }
                loop.arm(late, after: .milliseconds(60))
                loop.arm(moved, after: .milliseconds(5))
                loop.arm(early, after: .milliseconds(20))
                loop.arm(moved, after: .milliseconds(40))  // pushed back: must fire between early and late
                let cancelled = LoopTimer { order.append("cancelled") }
                loop.arm(cancelled, after: .milliseconds(10))
                loop.disarm(cancelled)
            }
        }
        #expect(fired == ["early", "moved", "late"])
    }

    @Test("the timer heap pops a large shuffled set in order")
    func heapOrder() {
        var queue = TimerQueue()
        var fired: [UInt64] = []
        let deadlines = (1...500).map { UInt64($0) * 10 }.shuffled()
        var timers: [LoopTimer] = []
        for deadline in deadlines {
            let timer = LoopTimer {}
            timer.action = { fired.append(deadline) }
            timers.append(timer)
            queue.arm(timer, at: deadline)
        }
        queue.fireDue(now: 2_500)
        #expect(fired == (1...250).map { UInt64($0) * 10 })
        queue.fireDue(now: 10_000)
        #expect(fired.count == 500 && fired == fired.sorted())
        #expect(queue.isEmpty)
    }

    @Test("cancelled timers leave the heap at once; disarmed and postponed ones are dropped or re-keyed when due")
    func heapRemoval() {
        var queue = TimerQueue()
        var fired: [String] = []
        let timers = (0..<100).map { index in LoopTimer { fired.append("t\(index)") } }
        for (index, timer) in timers.enumerated() { queue.arm(timer, at: UInt64(1_000 + index)) }
        for timer in timers.dropFirst(2) { queue.cancel(timer) }  // a closed connection's timers
        #expect(queue.count == 2)
        queue.arm(timers[0], at: 5_000)  // later
        queue.arm(timers[1], at: 10)     // earlier
        queue.arm(timers[50], at: 20)    // armed again after a disarm
        queue.fireDue(now: 100_000)
        #expect(fired == ["t1", "t50", "t0"] && queue.isEmpty)
        #expect(timers.allSatisfy { !$0.isArmed && $0.heapIndex == -1 })

        // Lazy paths: a disarmed entry is dropped when due, a postponed one fires at its new time.
        fired = []
        queue.arm(timers[3], at: 100)
        queue.arm(timers[4], at: 100)
        queue.disarm(timers[3])
        queue.arm(timers[4], at: 300)
        queue.fireDue(now: 200)
        #expect(fired.isEmpty && queue.count == 1)
        queue.fireDue(now: 300)
        #expect(fired == ["t4"] && queue.isEmpty)
    }

    @Test("work enqueued from many threads all runs on the loop")
    func crossThreadExecute() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let counter = Counter()
        await withTaskGroup(of: Void.self) { tasks in
            for _ in 0..<8 {
                tasks.addTask {
                    for _ in 0..<500 {
                        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                            loop.execute {
                                counter.incrementIfOn(loop)
                                continuation.resume()
                            }
                        }
                    }
                }
            }
        }
        #expect(counter.value == 4000)
    }

    @Test("SIGTERM wakes a waiter with the signal number")
    func terminationSignal() async throws {
        let group = try EventLoopGroup(threads: 1)
        defer { group.shutdown() }
        try TerminationSignal.install()
        let waiter = Task { try await TerminationSignal.wait(on: group.loops[0]) }
        kill(getpid(), SIGTERM)
        #expect(try await waiter.value == SIGTERM)
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = PThreadLock()
    private var count = 0
    func incrementIfOn(_ loop: EventLoop) { if loop.inEventLoop { lock.withLock { count += 1 } } }
    var value: Int { lock.withLock { count } }
}
