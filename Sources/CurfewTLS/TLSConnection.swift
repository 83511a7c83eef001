internal import CCurfewSSL
internal import COpenSSL
internal import Glibc

/// The state of a non-blocking handshake step.
public enum TLSHandshakeResult: Sendable {
    case complete
    /// Call again when the fd is readable.
    case wantRead
    /// Call again when the fd is writable.
    case wantWrite
    case failed(TLSError)
}

/// The outcome of one `read` or `write`.
public enum TLSIOResult: Sendable {
    /// Plaintext bytes read or accepted (a write may be partial).
    case bytes(Int)
    case wantRead
    case wantWrite
    /// The peer sent close_notify, or closed the transport without it (treated alike: see `TLSConnection`).
    case closed
    case failed(TLSError)
}

/// One TLS session over a non-blocking socket that the caller owns and closes (this class never closes the fd).
///
/// Owned by one event-loop thread, hence not Sendable. A peer that closes TCP without close_notify reads as
/// `.closed` (`SSL_OP_IGNORE_UNEXPECTED_EOF`): mobile clients do this constantly, and HTTP/1.1 and websocket
/// framing already detect truncation. Writes use MSG_NOSIGNAL (see `SocketBIO`): a reset peer is a `.failed`
/// write, never a SIGPIPE.
public final class TLSConnection {
    private let ssl: OpaquePointer
    var sslPointer: OpaquePointer { ssl }
    /// Keeps the SSL_CTX (and the ALPN storage its callback points into) alive while this session uses it.
    private let owner: AnyObject

    /// A server-side session on an accepted socket.
    public init(server: TLSServerContext, fd: Int32) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(server.context) else {
            throw TLSError.openSSL(.configuration, "cannot create a TLS session")
        }
        self.ssl = ssl
        owner = server
        try Self.attach(ssl, fd: fd)
        SSL_set_accept_state(ssl)
    }

    /// A client-side session on a connected socket.
    /// - Parameter serverName: sent as SNI unless it is an IP literal (RFC 6066 forbids that), and verified against
    ///   the certificate (dNSName, or iPAddress for IP literals) when the context verifies peers.
    public init(client: TLSClientContext, fd: Int32, serverName: String) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(client.context) else {
            throw TLSError.openSSL(.configuration, "cannot create a TLS session")
        }
        self.ssl = ssl
        owner = client
        try Self.attach(ssl, fd: fd)
        let isIPLiteral = IPAddress.isLiteral(serverName)
        if !isIPLiteral, curfew_ssl_set_tlsext_host_name(ssl, serverName) != 1 {
            throw TLSError.openSSL(.configuration, "cannot set SNI \(serverName)")
        }
        if client.verifiesPeer {
            let ok =
                isIPLiteral
                ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName) == 1
                : SSL_set1_host(ssl, serverName) == 1
            guard ok else { throw TLSError.openSSL(.configuration, "cannot verify host name \(serverName)") }
        }
        SSL_set_connect_state(ssl)
    }

    deinit { SSL_free(ssl) }

    /// Reads and writes `fd` through `SocketBIO` (MSG_NOSIGNAL; never closes the fd).
    private static func attach(_ ssl: OpaquePointer, fd: Int32) throws(TLSError) {
        guard let bio = SocketBIO.make(fd: fd) else { throw TLSError.openSSL(.configuration, "cannot attach fd \(fd)") }
        SSL_set_bio(ssl, bio, bio)  // one reference, owned by the SSL from here on
    }

    /// Advances the handshake as far as the socket allows.
    public func handshake() -> TLSHandshakeResult {
        OpenSSLErrorQueue.clear()
        errno = 0  // so an SSL_ERROR_SYSCALL reports this call's errno, not a stale one
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            OpenSSLErrorQueue.clear()  // reads and writes count on an empty queue (see `read(into:)`)
            return .complete
        }
        switch failure(rc, kind: .handshake, doing: "TLS handshake") {
        case .wantRead: return .wantRead
        case .wantWrite: return .wantWrite
        case .closed: return .failed(TLSError(.handshake, "TLS handshake failed: peer closed the connection"))
        case .failed(let error): return .failed(error)
        case .bytes: preconditionFailure("unreachable: failure() never returns bytes")
        }
    }

    /// Decrypts into `buffer`. With edge-triggered epoll, keep calling while `hasBufferedPlaintext` is true.
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSIOResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .bytes(0) }
        // No ERR_clear_error here: the queue is empty because every failure leaves it so (`failure`), and clearing
        // it before every read and write cost ~1.5 % of a REST request's CPU.
        errno = 0  // so an SSL_ERROR_SYSCALL reports this call's errno, not a stale one
        var count = 0
        if SSL_read_ex(ssl, base, buffer.count, &count) == 1 { return .bytes(count) }
        let result = failure(0, kind: .io, doing: "TLS read")
        if case .wantRead = result {
            // SSL_MODE_RELEASE_BUFFERS does not cover every path: a client session that has read its last record
            // keeps a fresh ~16.5 KiB read buffer while idle (measured with OpenSSL 3.0: 49.6 -> 33.1 KB for a
            // client+server pair once this is called). It matters for https upstream connections and for the
            // benchmark's client. This refuses (and keeps everything) while a partial record is buffered.
            _ = SSL_free_buffers(ssl)
        }
        return result
    }

    /// Encrypts and sends up to `bytes.count` bytes; a partial count means the socket is full (wait for writable).
    /// After `.wantWrite`/`.wantRead`, retry with the same pending bytes (the buffer may have moved).
    public func write(_ bytes: UnsafeRawBufferPointer) -> TLSIOResult {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .bytes(0) }
        // Error queue already empty: see `read(into:)`.
        errno = 0  // so an SSL_ERROR_SYSCALL reports this call's errno, not a stale one
        var count = 0
        if SSL_write_ex(ssl, base, bytes.count, &count) == 1 { return .bytes(count) }
        return failure(0, kind: .io, doing: "TLS write")
    }

    /// True while OpenSSL holds data already read from the socket (decrypted or not): an edge-triggered loop
    /// would otherwise wait for a readiness event that never comes.
    public var hasBufferedPlaintext: Bool { SSL_has_pending(ssl) == 1 }

    /// Sends close_notify if the handshake finished; never waits for the peer's. Best effort: the caller closes the
    /// fd next either way.
    public func shutdown() {
        OpenSSLErrorQueue.clear()
        if SSL_is_init_finished(ssl) == 1 { _ = SSL_shutdown(ssl) }
        OpenSSLErrorQueue.clear()
    }

    /// Maps a failed OpenSSL call to a result. Must run right after the call: it reads `errno` and the error queue.
    private func failure(_ rc: Int32, kind: TLSError.Kind, doing operation: String) -> TLSIOResult {
        let savedErrno = errno
        switch SSL_get_error(ssl, rc) {
        // These leave nothing in the queue as a rule; clear anyway (rare paths), so the next call starts empty.
        case SSL_ERROR_WANT_READ: OpenSSLErrorQueue.clear(); return .wantRead
        case SSL_ERROR_WANT_WRITE: OpenSSLErrorQueue.clear(); return .wantWrite
        case SSL_ERROR_ZERO_RETURN: OpenSSLErrorQueue.clear(); return .closed
        case SSL_ERROR_SYSCALL:
            let queued = OpenSSLErrorQueue.drain()
            if queued.isEmpty && savedErrno == 0 { return .closed }  // EOF that OpenSSL did not already map
            let reason = savedErrno != 0 ? String(cString: strerror(savedErrno)) : "system call failed"
            return .failed(TLSError(kind, "\(operation) failed: \(reason)", openSSLErrors: queued))
        default:
            return .failed(
                TLSError(kind, "\(operation) failed\(verifyFailureSuffix())", openSSLErrors: OpenSSLErrorQueue.drain()))
        }
    }

    /// ": certificate verify failed: Hostname mismatch" when verification is why, so the log line says which check.
    private func verifyFailureSuffix() -> String {
        let result = SSL_get_verify_result(ssl)
        guard result != X509_V_OK else { return "" }
        return ": certificate verify failed: " + String(cString: X509_verify_cert_error_string(result))
    }
}

/// Not Sendable: one event-loop thread owns each connection and its SSL*.
@available(*, unavailable)
extension TLSConnection: Sendable {}
