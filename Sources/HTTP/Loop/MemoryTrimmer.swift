import CSystem

/// Hands freed heap memory back to the kernel after bursts of connection closes and parks.
/// glibc keeps freed chunks in its heaps forever unless trimmed, so a server that once held
/// 10,000 connections would keep their memory resident after they went idle or closed.
/// Each loop counts releases; once enough pile up it trims a moment later (coalescing the burst).
/// Loop-confined.
final class MemoryTrimmer {
    /// Releases (closed or parked connections, deleted routes) that make a trim worthwhile: a
    /// connection in flight holds a few KiB, so fewer free too little to matter. With `delay`
    /// this caps trims at 4 per second per loop (each ~1 ms per 100 MB of heap) under churn.
    static let threshold = 64
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
}
