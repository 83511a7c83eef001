#if canImport(Glibc)
import Glibc
#endif
import CCurfewLinux
import CurfewNet

/// Something woken at a fixed period by a `Ticker`.
protocol TickTarget: AnyObject {
    func tick(now: Int64)
}

/// A periodic timerfd in the event loop: `echo` sends on a schedule finer than epoll_wait's milliseconds (2,000
/// frames/s is one every 500 µs), without spinning.
final class Ticker: EventHandler {
    private let fd: Int32
    private unowned let target: TickTarget
    private let loop: EventLoop

    init(loop: EventLoop, periodNanoseconds: Int64, target: TickTarget) throws(BenchFailure) {
        let fd = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK) | Int32(TFD_CLOEXEC))
        guard fd >= 0 else { throw BenchFailure("timerfd_create: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.target = target
        self.loop = loop
        let period = timespec(tv_sec: Int(periodNanoseconds / 1_000_000_000), tv_nsec: Int(periodNanoseconds % 1_000_000_000))
        var spec = itimerspec(it_interval: period, it_value: period)
        guard timerfd_settime(fd, 0, &spec, nil) == 0 else {
            closeFileDescriptor(fd)
            throw BenchFailure("timerfd_settime: \(String(cString: strerror(errno)))")
        }
        do {
            try loop.registerReadOnly(fd: fd, handler: self)
        } catch {
            closeFileDescriptor(fd)
            throw BenchFailure("cannot watch the timer: \(error)")
        }
    }

    /// Stops the timer and forgets the fd.
    func cancel() {
        loop.unregister(fd: fd)
        closeFileDescriptor(fd)
    }

    func handleEvent(fd: Int32, readiness: Readiness) {
        // Reading the expiration count re-arms the edge; the target works from the clock, not the count.
        var expirations: UInt64 = 0
        _ = Glibc.read(fd, &expirations, 8)
        target.tick(now: Clock.now())
    }
}
