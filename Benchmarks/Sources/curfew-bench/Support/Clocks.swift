#if canImport(Glibc)
import Glibc
#endif
import CurfewNet

/// The two clocks of the tool: monotonic nanoseconds for intervals (CurfewNet's), and wall-clock milliseconds with
/// a fractional part for comparing a close with a JWT `exp`, which is wall-clock time.
enum Clock {
    @inline(__always) static func now() -> Int64 { MonotonicClock.nanoseconds() }

    /// Milliseconds since the Unix epoch, sub-millisecond precision (CLOCK_REALTIME).
    static func wallMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }

    static func nanoseconds(seconds: Double) -> Int64 { Int64((seconds * 1e9).rounded()) }
}
