#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Why the demo gateway could not start: the failing socket call and its errno.
public struct DemoGatewayError: Error, CustomStringConvertible, Sendable {
    /// The call that failed (`socket`, `bind`, `listen`, `getsockname`).
    public let operation: String
    /// errno after the failure.
    public let errno: Int32

    public var description: String { "demo gateway: \(operation) failed (errno \(errno))" }
}

/// A small stand-in for Couchbase Sync Gateway that `curfew demo` runs on loopback behind curfew.
///
/// Plain HTTP on 127.0.0.1. It answers `GET /` and `GET /{db}/` with SG-shaped JSON, and upgrades
/// `GET /{db}/_blipsync` to a websocket (RFC 6455, `BLIP_3+CBMobile_N` subprotocol) that echoes every
/// frame. Anything else is a 404.
///
/// Demo only: blocking sockets and one thread per connection, because it serves a handful of local
/// clients and must be obviously correct, not fast. Production I/O lives in CurfewNet's event loop.
public final class DemoGateway: Sendable {
    /// The bound TCP port (the kernel's choice when `init(port: 0)`).
    public let port: UInt16
    private let listener: Int32
    /// SG reports `instance_start_time` in microseconds since the epoch.
    let instanceStartTime: Int64
    /// Stand-in for the database's `update_seq`: bumped per echoed websocket message.
    let updateSequence = Atomic<Int>(0)
    private let state = Mutex(DemoGatewayState())

    /// Binds and listens on 127.0.0.1:`port` (0 = any free port). Does not accept until `start()`.
    public init(port: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DemoGatewayError(operation: "socket", errno: errno) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian  // 127.0.0.1: the demo never listens publicly
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw DemoGatewayError(operation: "bind", errno: code)
        }
        guard listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw DemoGatewayError(operation: "listen", errno: code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let code = errno
            close(fd)
            throw DemoGatewayError(operation: "getsockname", errno: code)
        }
        self.listener = fd
        self.port = UInt16(bigEndian: address.sin_port)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        self.instanceStartTime = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    deinit {
        stop()
    }

    /// Starts the accept thread. Calling it again, or after `stop()`, does nothing.
    public func start() {
        let shouldStart = state.withLock { state in
            guard !state.started, !state.stopped else { return false }
            state.started = true
            return true
        }
        guard shouldStart else { return }
        DemoThread.spawn { [self] in acceptLoop() }
    }

    /// Stops accepting, cuts every open connection and closes the listener. Idempotent.
    public func stop() {
        let (connections, started) = state.withLock { state -> ([Int32], Bool) in
            guard !state.stopped else { return ([], true) }
            state.stopped = true
            return (Array(state.connections), state.started)
        }
        // shutdown, not close: the owning threads close their own descriptors, so no fd is closed twice
        // or reused under a thread still blocked on it. shutdown() also wakes a blocked accept().
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
        if !started { closeListenerOnce() }
    }

    private func acceptLoop() {
        while true {
            let fd = accept4Fallback(listener)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections.insert(fd)
                return true
            }
            guard accepted else {
                close(fd)
                break
            }
            DemoThread.spawn { [self] in
                var connection = DemoGatewayConnection(fd: fd, gateway: self)
                connection.run()
                state.withLock { _ = $0.connections.remove(fd) }
                close(fd)
            }
        }
        closeListenerOnce()
    }

    private func closeListenerOnce() {
        let shouldClose = state.withLock { state in
            defer { state.listenerClosed = true }
            return !state.listenerClosed
        }
        if shouldClose { close(listener) }
    }

    /// `accept` (Glibc hides `accept4` behind _GNU_SOURCE; close-on-exec is set right after instead).
    private func accept4Fallback(_ listener: Int32) -> Int32 {
        let fd = accept(listener, nil, nil)
        if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fd
    }
}

struct DemoGatewayState: Sendable {
    var started = false
    var stopped = false
    var listenerClosed = false
    var connections: Set<Int32> = []
}
