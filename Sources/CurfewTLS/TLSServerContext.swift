internal import CCurfewSSL
internal import COpenSSL

/// Whether the server asks TLS clients for a certificate (mTLS).
public enum ClientCertificateMode: Sendable, Equatable {
    /// No CertificateRequest is sent.
    case off
    /// A certificate is requested; a client may send none, but one it sends must verify against the client CA file.
    case optional
    /// A client without a certificate that verifies fails the handshake.
    case required
}

/// A configured server-side TLS context (one per listener, shared by all worker threads).
///
/// Sessions: resumption uses stateless tickets (OpenSSL's default ticket keys, random per process) and the
/// server-side session cache is off. Tickets cost the server no memory per session and no lock shared between
/// workers; the price is that a restart invalidates them, which only costs a full handshake. One ticket is issued
/// per TLS 1.3 handshake, since Couchbase Lite reconnects one connection at a time.
///
/// SAFETY: `@unchecked Sendable` because an SSL_CTX, once configured, is safe to share between threads for
/// `SSL_new` (OpenSSL locks its reference count and session/ticket state internally). Nothing mutates it after
/// `init`; the ALPN list it points at is owned here and immutable.
public final class TLSServerContext: @unchecked Sendable {
    let context: OpaquePointer
    private let alpnList: ALPNWireList
    /// The self-signed certificate in PEM, so tests and `--dev` modes can hand it to a client as a trust anchor.
    let certificatePEM: String?

    /// Loads a PEM certificate chain (leaf first) and its private key.
    /// - Parameters:
    ///   - clientCAFile: PEM CA certificates that client certificates must chain to; required unless
    ///     `clientCertificate` is `.off`.
    ///   - alpn: protocols in server preference order; an empty list disables ALPN.
    public convenience init(
        certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil,
        clientCertificate: ClientCertificateMode = .off, alpn: [String] = ["http/1.1"]
    ) throws(TLSError) {
        try self.init(alpn: alpn, certificatePEM: nil) { ctx throws(TLSError) in
            try ContextConfiguration.useCertificateAndKey(
                ctx, certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile)
            try Self.configureClientCertificates(ctx, mode: clientCertificate, caFile: clientCAFile)
        }
    }

    init(
        alpn: [String], certificatePEM: String?, installIdentity: (OpaquePointer) throws(TLSError) -> Void
    ) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        alpnList = try ALPNWireList(alpn)
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw TLSError.openSSL(.configuration, "cannot create a TLS server context")
        }
        context = ctx
        self.certificatePEM = certificatePEM
        try ContextConfiguration.applyCommon(ctx)
        try installIdentity(ctx)
        _ = curfew_ssl_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
        _ = SSL_CTX_set_num_tickets(ctx, 1)
        // Required whenever client certificates may be verified: OpenSSL refuses to resume a session without it.
        let sessionContext: [UInt8] = Array("curfew".utf8)
        _ = SSL_CTX_set_session_id_context(ctx, sessionContext, UInt32(sessionContext.count))
        if alpnList.count > 0 {
            SSL_CTX_set_alpn_select_cb(
                ctx, alpnSelectServerPreference, Unmanaged.passUnretained(alpnList).toOpaque())
        }
        OpenSSLErrorQueue.clear()
    }

    deinit { SSL_CTX_free(context) }

    private static func configureClientCertificates(
        _ ctx: OpaquePointer, mode: ClientCertificateMode, caFile: String?
    ) throws(TLSError) {
        if mode == .off { return }
        guard let caFile else {
            throw TLSError(.configuration, "client certificates (\(mode)) need a client CA file")
        }
        try ContextConfiguration.trust(ctx, caFile: caFile, what: "client CA file", advertise: true)
        let failIfMissing = mode == .required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | failIfMissing, nil)
    }
}
