#if canImport(Glibc)
import Glibc
#endif

/// Detached pthreads for the demo gateway (Foundation's `Thread` is not used: no Foundation here).
enum DemoThread {
    /// Carries the closure through pthread_create's `void *` argument.
    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Runs `body` on a new detached thread.
    static func spawn(_ body: @escaping @Sendable () -> Void) {
        var thread = pthread_t()
        let argument = Unmanaged.passRetained(Body(body)).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, argument)
        guard created == 0 else {
            Unmanaged<Body>.fromOpaque(argument).release()
            return
        }
        pthread_detach(thread)
    }
}
