internal import CCurfewSSL
internal import COpenSSL

/// A configured client-side TLS context, for https upstreams (one per upstream, shared by worker threads).
///
/// SAFETY: `@unchecked Sendable` for the same reason as `TLSServerContext`: the SSL_CTX is configured in `init`,
/// never mutated afterwards, and OpenSSL makes `SSL_new` on a shared context thread-safe.
public final class TLSClientContext: @unchecked Sendable {
    let context: OpaquePointer
    let verifiesPeer: Bool

    /// - Parameters:
    ///   - caFile: PEM CA certificates to trust; nil trusts the system's default paths.
    ///   - verifyPeer: false skips certificate and host-name verification (a loud configuration choice, for labs).
    ///   - alpn: protocols to offer; an empty list offers none.
    ///   - certificateChainFile: an optional client certificate (leaf first) for upstreams that want mTLS.
    ///   - privateKeyFile: its key; required with `certificateChainFile`.
    public convenience init(
        caFile: String?, verifyPeer: Bool = true, alpn: [String] = ["http/1.1"],
        certificateChainFile: String? = nil, privateKeyFile: String? = nil
    ) throws(TLSError) {
        try self.init(
            caFile: caFile, verifyPeer: verifyPeer, alpn: alpn, certificateChainFile: certificateChainFile,
            privateKeyFile: privateKeyFile, versions: TLS1_2_VERSION...TLS1_3_VERSION)
    }

    /// `versions` narrows the protocol range (tests pin 1.2-only and 1.3-only clients).
    init(
        caFile: String?, verifyPeer: Bool, alpn: [String], certificateChainFile: String?, privateKeyFile: String?,
        versions: ClosedRange<Int32>
    ) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        let wire = try ALPNWireList(alpn)
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError.openSSL(.configuration, "cannot create a TLS client context")
        }
        context = ctx
        verifiesPeer = verifyPeer
        try ContextConfiguration.applyCommon(
            ctx, minimumVersion: versions.lowerBound, maximumVersion: versions.upperBound)
        if verifyPeer {
            if let caFile {
                try ContextConfiguration.trust(ctx, caFile: caFile, what: "CA file", advertise: false)
            } else if SSL_CTX_set_default_verify_paths(ctx) != 1 {
                throw TLSError.openSSL(.configuration, "cannot load the system's default CA certificates")
            }
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        } else {
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        }
        switch (certificateChainFile, privateKeyFile) {
        case (nil, nil): break
        case (let chain?, let key?):
            try ContextConfiguration.useCertificateAndKey(ctx, certificateChainFile: chain, privateKeyFile: key)
        default:
            throw TLSError(.configuration, "a client certificate needs both a certificate file and a private key file")
        }
        // SSL_CTX_set_alpn_protos copies the list, and (unlike almost everything else) returns 0 on success.
        if wire.count > 0, SSL_CTX_set_alpn_protos(ctx, wire.base, UInt32(wire.count)) != 0 {
            throw TLSError.openSSL(.configuration, "cannot set ALPN protocols \(alpn)")
        }
        OpenSSLErrorQueue.clear()
    }

    deinit { SSL_CTX_free(context) }
}
