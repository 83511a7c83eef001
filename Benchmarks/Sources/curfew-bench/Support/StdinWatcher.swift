#if canImport(Glibc)
import Glibc
#endif
import CurfewNet

/// Raises the stop signal when stdin reaches EOF: `idle` holds its connections until the run script closes the
/// pipe. stdin is made non-blocking for the edge-triggered loop (and restored afterwards). A stdin epoll cannot
/// watch (a regular file, /dev/null) is at EOF as far as this is concerned.
final class StdinWatcher: EventHandler {
    private let stop: StopSignal
    private let loop: EventLoop
    private let savedFlags: Int32
    private var registered = false

    init(loop: EventLoop, stop: StopSignal) {
        self.loop = loop
        self.stop = stop
        savedFlags = fcntl(0, F_GETFL)
        if savedFlags >= 0 { _ = fcntl(0, F_SETFL, savedFlags | O_NONBLOCK) }
        do {
            try loop.registerReadOnly(fd: 0, handler: self)
            registered = true
            drain()
        } catch {
            stop.raise()
        }
    }

    func finish() {
        if registered { loop.unregister(fd: 0) }
        registered = false
        if savedFlags >= 0 { _ = fcntl(0, F_SETFL, savedFlags) }
    }

    func handleEvent(fd: Int32, readiness: Readiness) { drain() }

    private func drain() {
        var buf = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while true {
            let n = withUnsafeMutableBytes(of: &buf) { Glibc.read(0, $0.baseAddress, $0.count) }
            if n > 0 { continue }
            if n == 0 { stop.raise() }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno != EAGAIN { stop.raise() }
            return
        }
    }
}
