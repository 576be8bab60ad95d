import Glibc

/// Monotonic time in nanoseconds; the loop's timers and I/O deadlines are measured in it.
enum MonotonicClock {
    @inline(__always) static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// A deadline `duration` from `start`, saturating instead of overflowing for huge durations.
    static func deadline(after duration: Duration, from start: UInt64 = now()) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        if seconds <= 0 && attoseconds <= 0 { return start }
        if seconds > 1_000_000_000 { return UInt64.max / 2 }
        let nanos = UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
        return start &+ nanos
    }
}
