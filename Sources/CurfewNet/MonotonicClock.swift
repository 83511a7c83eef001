#if canImport(Glibc)
import Glibc
#endif

/// Time sources. The timer wheel and the state machines never read a clock themselves: the event loop reads
/// these once per iteration and passes `now` in.
public enum MonotonicClock {
    /// Nanoseconds on CLOCK_MONOTONIC (immune to wall-clock steps).
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

public enum WallClock {
    /// Milliseconds since the Unix epoch (credential expiries are wall-clock times).
    public static func milliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Nanoseconds since the Unix epoch, for mapping a wall-clock deadline onto the monotonic clock precisely.
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
