#if canImport(Glibc)
import Glibc
#endif

enum FileLimit {
    /// Raises the open-file soft limit to the hard limit (20,000 on the benchmark machines): `idle` and `cut` hold
    /// thousands of sockets, and the default soft limit of 1,024 would fail them at connection 1,020.
    /// Returns the limit now in force.
    @discardableResult
    static func raiseToHard() -> Int {
        var rl = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &rl) == 0 else { return 1024 }
        if rl.rlim_cur < rl.rlim_max {
            var raised = rl
            raised.rlim_cur = rl.rlim_max
            if setrlimit(resource, &raised) == 0 { rl = raised }
        }
        return rl.rlim_cur > rlim_t(Int.max) ? Int.max : Int(rl.rlim_cur)
    }
}
