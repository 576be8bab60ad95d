import CSystem

/// Hands freed heap memory back to the kernel after bursts of connection closes and parks.
/// glibc keeps freed chunks in its heaps forever unless trimmed, so a server that once held
/// 10,000 connections would keep their memory resident after they went idle or closed.
/// Each loop counts releases; once enough pile up it trims a moment later (coalescing the burst).
/// Loop-confined.
final class MemoryTrimmer {
    /// Releases (closed or parked connections) that make a trim worthwhile: a connection in
    /// flight holds a few KiB, so fewer than this free too little to matter.
    static let threshold = 256
    /// Delay after the threshold is crossed, so one trim covers the whole burst.
    static let delay: Duration = .milliseconds(250)

    private var released = 0
    private var timer: LoopTimer?

    /// Counts one release on `loop`; schedules a trim when the count reaches the threshold.
    func noteReleased(on loop: EventLoop) {
        released += 1
        guard released >= Self.threshold, timer?.isArmed != true else { return }
        let timer = self.timer ?? LoopTimer {}
        timer.action = { [unowned self] in
            self.released = 0
            _ = csystem_malloc_trim()
        }
        self.timer = timer
        loop.arm(timer, after: Self.delay)
    }

    /// Caps glibc's arenas for the whole process (call once, early): the loops and the Swift
    /// runtime's pool threads would otherwise each grow a heap whose free memory no other thread reuses.
    static func limitArenas(_ count: Int) {
        _ = csystem_malloc_limit_arenas(Int32(count))
    }
}
