import Glibc

/// Monotonic time in nanoseconds; the loop's timers and I/O deadlines are measured in it.
/// Cheaper than `ContinuousClock` on the request path: `Duration` arithmetic is 128-bit.
public enum MonotonicClock {
    @inline(__always) public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// `duration` in nanoseconds: 0 for negative, saturating far beyond any timeout (~30 years).
    /// Convert configured timeouts once; the conversion divides 128-bit numbers.
    public static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        if seconds > 1_000_000_000 { return UInt64.max / 2 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// A deadline `duration` from `start`, saturating instead of overflowing for huge durations.
    static func deadline(after duration: Duration, from start: UInt64 = now()) -> UInt64 {
        deadline(afterNanoseconds: nanoseconds(duration), from: start)
    }

    /// A deadline `nanoseconds` from `start` (a duration converted once with `nanoseconds(_:)`).
    @inline(__always) static func deadline(afterNanoseconds nanoseconds: UInt64, from start: UInt64) -> UInt64 {
        start &+ nanoseconds
    }

    /// Microseconds elapsed since `start` (a value of `now()`), for latency metrics and logs.
    @inline(__always) public static func microseconds(since start: UInt64) -> Int {
        Int((now() &- start) / 1_000)
    }
}
