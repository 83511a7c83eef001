#if canImport(Glibc)
import Glibc
#endif

/// An error from a system call: the call's name and `errno`. Errors are values the caller decides on;
/// `EAGAIN`/`EINTR` never surface as errors (see `SyscallResult`).
public struct IOError: Error, CustomStringConvertible, Sendable, Equatable {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// The outcome of a non-blocking call: done, or "try again when the fd is ready".
public enum SyscallResult<T> {
    case done(T)
    case wouldBlock
}

/// The one errno fence (swift-nio's `System.swift` idea): every syscall of the proxy goes through here.
/// - `EINTR` is retried.
/// - `EAGAIN`/`EWOULDBLOCK` become `.wouldBlock`.
/// - anything else is thrown as `IOError`.
/// `@inline(never)` so no ARC traffic runs between the call and the read of `errno`.
@inline(never)
public func syscall<T: FixedWidthInteger>(_ name: StaticString, _ body: () -> T) throws(IOError) -> SyscallResult<T> {
    while true {
        let result = body()
        if result >= 0 { return .done(result) }
        let err = errno
        switch err {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        default: throw IOError(call: "\(name)", errno: err)
        }
    }
}

/// Closes a file descriptor. `EINTR` on close must not be retried on Linux (the fd is already released;
/// retrying could close a descriptor another thread just opened), so the result is ignored.
public func closeFileDescriptor(_ fd: Int32) {
    _ = Glibc.close(fd)
}
