#if canImport(Glibc)
import Glibc
#endif
internal import CCurfewLinux

/// A pthread, because worker threads run their own event loop and must not be Dispatch or Swift Concurrency
/// threads.
public struct OSThread: Sendable {
    private let handle: pthread_t

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts `body` on a new thread. The body is formed in a function (not top-level code) so it does not
    /// inherit main-actor isolation (swift-feasibility.md pitfall P2).
    public static func spawn(_ body: @escaping @Sendable () -> Void) -> OSThread {
        var tid = pthread_t()
        let arg = Unmanaged.passRetained(Body(body)).toOpaque()
        let rc = pthread_create(&tid, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, arg)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        return OSThread(handle: tid)
    }

    public func join() { pthread_join(handle, nil) }
}

/// Process signal plumbing: the control signals (TERM, INT, HUP) are blocked in every thread and taken
/// synchronously by one thread with sigwait, so no code runs in a signal handler.
public enum ControlSignals {
    public static func blockInThisThread() { _ = curfew_linux_block_control_signals() }
    /// Blocks until SIGTERM, SIGINT or SIGHUP arrives; returns the signal number.
    public static func wait() -> Int32 { curfew_linux_wait_signal() }
    public static func send(_ signal: Int32) { _ = curfew_linux_raise_process(signal) }
    public static func ignoreSIGPIPE() { _ = Glibc.signal(SIGPIPE, SIG_IGN) }
}

public enum SystemInfo {
    public static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
