import CurfewNet
import Synchronization

/// SIGTERM/SIGINT as a flag the event loop polls, plus a wake-up for its epoll_wait.
///
/// The signals are blocked in every thread and taken with sigwait by one thread of their own (as curfew does), so no
/// code runs in a signal handler; that thread raises the flag and posts to a `Mailbox`, whose eventfd the loop
/// watches. The loop stays the only thread that touches sockets.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    let mailbox: Mailbox<Void>

    /// Must run before any other thread exists, so that every thread inherits the blocked mask.
    init() throws(IOError) {
        ControlSignals.blockInThisThread()
        ControlSignals.ignoreSIGPIPE()
        mailbox = try Mailbox<Void>()
    }

    var isRaised: Bool { flag.load(ordering: .relaxed) }

    /// Also used by `idle` when stdin reaches EOF.
    func raise() {
        flag.store(true, ordering: .relaxed)
        mailbox.post { _ in }
    }

    /// Starts the waiting thread. A function of its own (not top-level code) so the closure is not main-actor
    /// isolated.
    func startWatching() {
        _ = OSThread.spawn { [self] in
            while true {
                let sig = ControlSignals.wait()
                if sig == 15 || sig == 2 {  // SIGTERM, SIGINT; SIGHUP means nothing here
                    self.raise()
                    return
                }
            }
        }
    }
}

/// Drains the stop mailbox when the loop sees its eventfd (the flag itself is read by the drivers).
final class StopWaker: EventHandler {
    private let mailbox: Mailbox<Void>
    init(_ mailbox: Mailbox<Void>) { self.mailbox = mailbox }
    func handleEvent(fd: Int32, readiness: Readiness) {
        for job in mailbox.drain() { job(()) }
    }
}
