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

    /// Resident set size right now in bytes (second field of /proc/self/statm, in pages); 0 if unreadable.
    static func currentRSSBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var text = [UInt8](repeating: 0, count: 128)
        let n = text.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return 0 }
        let fields = text[..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func read(_ clock: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
