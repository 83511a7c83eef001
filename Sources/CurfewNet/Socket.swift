#if canImport(Glibc)
import Glibc
#endif
internal import CCurfewLinux

/// Thin, non-blocking socket calls. Every call goes through `syscall(_:_:)`.
public enum Socket {
    /// A listening TCP socket: non-blocking, close-on-exec, SO_REUSEADDR, and SO_REUSEPORT so that every
    /// worker thread binds its own listener on the same address and the kernel spreads connections across them.
    public static func listen(on address: SocketAddress, reusePort: Bool, backlog: Int32 = 1024) throws(IOError) -> Int32 {
        let fd = try socketFD(family: address.family)
        do throws(IOError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if reusePort { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
            if address.family == AF_INET6 { try? setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
            let rc = address.withSockaddr { Glibc.bind(fd, $0, $1) }
            if rc != 0 { throw IOError(call: "bind(\(address))", errno: errno) }
            if Glibc.listen(fd, backlog) != 0 { throw IOError(call: "listen(\(address))", errno: errno) }
            return fd
        } catch {
            closeFileDescriptor(fd)
            throw error
        }
    }

    /// The address a socket is bound to (the real port after binding port 0).
    public static func localAddress(_ fd: Int32) throws(IOError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        if rc != 0 { throw IOError(call: "getsockname", errno: errno) }
        return SocketAddress(storage: storage, length: length)
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket.
    public static func accept(_ listener: Int32) throws(IOError) -> SyscallResult<(fd: Int32, remote: SocketAddress)> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let result = try syscall("accept4") {
            withUnsafeMutablePointer(to: &storage) { curfew_linux_accept4(listener, $0, &length, flags) }
        }
        switch result {
        case .wouldBlock: return .wouldBlock
        case .done(let fd): return .done((fd, SocketAddress(storage: storage, length: length)))
        }
    }

    /// Starts a non-blocking connect. `.wouldBlock` means "in progress": wait for writability, then check
    /// `pendingError`.
    public static func connect(to address: SocketAddress) throws(IOError) -> (fd: Int32, inProgress: Bool) {
        let fd = try socketFD(family: address.family)
        while true {
            let rc = address.withSockaddr { Glibc.connect(fd, $0, $1) }
            if rc == 0 { return (fd, false) }
            let err = errno
            if err == EINTR { continue }
            if err == EINPROGRESS { return (fd, true) }
            closeFileDescriptor(fd)
            throw IOError(call: "connect(\(address))", errno: err)
        }
    }

    /// SO_ERROR: the outcome of a non-blocking connect (0 = connected).
    public static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0 { return errno }
        return value
    }

    /// True once a non-blocking connect has completed (getpeername succeeds only on a connected socket;
    /// SO_ERROR alone reads 0 both while connecting and once connected).
    public static func isConnected(_ fd: Int32) -> Bool {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        return rc == 0
    }

    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> SyscallResult<Int> {
        try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// `send` with MSG_NOSIGNAL: a reset peer gives EPIPE, never SIGPIPE.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(IOError) -> SyscallResult<Int> {
        try syscall("send") { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    public static func shutdownWrite(_ fd: Int32) { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Makes the next close send a RST instead of a FIN (SO_LINGER 0): used when a connection must die at once.
    public static func setAbortiveClose(_ fd: Int32) {
        var value = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, socklen_t(MemoryLayout<linger>.size))
    }

    public static func setNoDelay(_ fd: Int32) { try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1) }

    private static func socketFD(family: Int32) throws(IOError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = Glibc.socket(family, type, 0)
        if fd < 0 { throw IOError(call: "socket", errno: errno) }
        return fd
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(IOError) {
        var v = value
        if setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            throw IOError(call: "setsockopt", errno: errno)
        }
    }
}
