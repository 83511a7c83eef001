internal import COpenSSL
internal import Glibc

/// A socket BIO that sends with `MSG_NOSIGNAL`.
///
/// OpenSSL's own socket BIO writes with write(2), so writing to a connection the peer has reset raises SIGPIPE and,
/// unless the process ignores it, kills the proxy. `main` does ignore SIGPIPE, but a library that can take down the
/// process through someone else's missed setup line is fragile; with MSG_NOSIGNAL the failure is an EPIPE that
/// surfaces as a `.failed` write. Behaves like the stock socket BIO otherwise: non-blocking retries, and EOF
/// flagged so that `SSL_OP_IGNORE_UNEXPECTED_EOF` can turn a bare TCP close into a clean `.closed`.
/// The fd is borrowed: destroying the BIO never closes it.
enum SocketBIO {
    /// A new BIO over `fd` (one reference, for `SSL_set_bio`), or nil if OpenSSL is out of memory.
    static func make(fd: Int32) -> OpaquePointer? {
        guard let bio = BIO_new(SocketBIOMethod.shared.method) else { return nil }
        let box = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        box.initialize(to: fd)
        BIO_set_data(bio, box)
        BIO_set_init(bio, 1)
        return bio
    }

    fileprivate static func fd(_ bio: OpaquePointer?) -> Int32 {
        BIO_get_data(bio).assumingMemoryBound(to: Int32.self).pointee
    }

    fileprivate static func isRetryable(_ code: Int32) -> Bool {
        code == EAGAIN || code == EWOULDBLOCK || code == EINTR || code == EINPROGRESS
    }
}

/// The BIO_METHOD table, built once per process.
///
/// SAFETY: `@unchecked Sendable` because the BIO_METHOD is filled in once, inside the lazy (swift_once-guarded)
/// static initialiser, and only read afterwards; OpenSSL reads method tables from any thread.
private final class SocketBIOMethod: @unchecked Sendable {
    static let shared = SocketBIOMethod()
    let method: OpaquePointer

    private init() {
        let type = BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR
        method = BIO_meth_new(type, "curfew socket (MSG_NOSIGNAL)")!
        _ = BIO_meth_set_write_ex(method, socketWrite)
        _ = BIO_meth_set_read_ex(method, socketRead)
        _ = BIO_meth_set_ctrl(method, socketControl)
        _ = BIO_meth_set_destroy(method, socketDestroy)
    }
}

// BIO_FLAGS_RWS spelled out: the importer skips macros built from other macros.
private let retryFlags = BIO_FLAGS_READ | BIO_FLAGS_WRITE | BIO_FLAGS_IO_SPECIAL | BIO_FLAGS_SHOULD_RETRY

private let socketWrite:
    @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int, UnsafeMutablePointer<Int>?) -> Int32 = {
        bio, data, length, written in
        BIO_clear_flags(bio, retryFlags)
        let n = send(SocketBIO.fd(bio), data, length, Int32(MSG_NOSIGNAL))
        if n >= 0 {
            written?.pointee = n
            return 1
        }
        if SocketBIO.isRetryable(errno) { BIO_set_flags(bio, BIO_FLAGS_WRITE | BIO_FLAGS_SHOULD_RETRY) }
        return 0
    }

private let socketRead:
    @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutablePointer<Int>?) -> Int32 = {
        bio, data, length, readBytes in
        BIO_clear_flags(bio, retryFlags)
        let n = recv(SocketBIO.fd(bio), data, length, 0)
        if n > 0 {
            readBytes?.pointee = n
            return 1
        }
        if n == 0 {
            BIO_set_flags(bio, BIO_FLAGS_IN_EOF)
        } else if SocketBIO.isRetryable(errno) {
            BIO_set_flags(bio, BIO_FLAGS_READ | BIO_FLAGS_SHOULD_RETRY)
        }
        return 0
    }

private let socketControl: @convention(c) (OpaquePointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int = {
    bio, command, _, _ in
    switch command {
    case BIO_CTRL_EOF: BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0
    case BIO_CTRL_FLUSH, BIO_CTRL_DUP: 1
    default: 0  // not supported: OpenSSL treats 0 as "no" for every query it makes of a plain socket
    }
}

private let socketDestroy: @convention(c) (OpaquePointer?) -> Int32 = { bio in
    guard let bio, let data = BIO_get_data(bio) else { return 1 }
    data.assumingMemoryBound(to: Int32.self).deallocate()
    BIO_set_data(bio, nil)
    return 1
}
