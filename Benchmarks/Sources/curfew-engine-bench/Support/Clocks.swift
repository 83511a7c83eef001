#if canImport(Glibc)
import Glibc
#endif

/// The clocks and counters the benchmark reads, beside the runtime's own `MonotonicClock`/`WallClock` (which only
/// give whole milliseconds of wall time: the lateness figure needs better than that).
enum Clocks {
    /// CPU time of the calling thread: what the wheel phases are measured in, so that the other job sharing the
    /// core does not count against a queue.
    static func threadCPUNanoseconds() -> Int64 { read(CLOCK_THREAD_CPUTIME_ID) }

    /// CLOCK_REALTIME in nanoseconds: wall time with sub-millisecond precision, for cut lateness.
    static func wallNanoseconds() -> Int64 { read(CLOCK_REALTIME) }

    /// User + system CPU seconds of the whole process so far (getrusage).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Peak resident set size of the process in MiB (ru_maxrss is in KiB on Linux).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    private static func read(_ clock: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
