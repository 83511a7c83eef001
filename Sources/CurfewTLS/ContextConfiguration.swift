internal import CCurfewSSL
internal import COpenSSL

/// Settings shared by the server and client contexts, and certificate loading that names the file on failure.
enum ContextConfiguration {
    /// Mozilla "intermediate" TLS 1.2 suites minus finite-field DHE (no parameters to manage, all forward secret).
    /// TLS 1.3 suites stay OpenSSL's defaults (all AEAD).
    static let tls12Ciphers =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

    static let groups = "X25519:P-256:P-384"

    /// TLS 1.2-1.3, no compression (CRIME), no renegotiation (a client-driven CPU sink, and nothing needs it),
    /// unexpected EOF as a plain close, and the modes a non-blocking event loop wants.
    static func applyCommon(
        _ ctx: OpaquePointer, minimumVersion: Int32 = TLS1_2_VERSION, maximumVersion: Int32 = TLS1_3_VERSION
    ) throws(TLSError) {
        guard curfew_ssl_CTX_set_min_proto_version(ctx, minimumVersion) == 1,
            curfew_ssl_CTX_set_max_proto_version(ctx, maximumVersion) == 1
        else { throw TLSError.openSSL(.configuration, "cannot restrict TLS versions to 1.2-1.3") }
        SSL_CTX_set_options(
            ctx,
            CURFEW_SSL_OP_ALL | CURFEW_SSL_OP_NO_COMPRESSION | CURFEW_SSL_OP_NO_RENEGOTIATION
                | CURFEW_SSL_OP_IGNORE_UNEXPECTED_EOF)
        // RELEASE_BUFFERS: an idle websocket must not pin ~34 KiB of record buffers; memory per idle connection is
        // a headline figure. PARTIAL_WRITE + ACCEPT_MOVING_WRITE_BUFFER: the loop writes what the socket takes and
        // retries later from wherever its buffer then lives.
        _ = curfew_ssl_CTX_set_mode(
            ctx, Int(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        // Read-ahead: without it OpenSSL reads every record with two recv(2) calls (the 5-byte header, then the
        // body), so each small REST request cost one system call more. What it reads ahead is reported by
        // `hasBufferedPlaintext` (SSL_has_pending), which the loop already drains before waiting for an edge.
        _ = curfew_ssl_CTX_set_read_ahead(ctx, 1)
        guard curfew_ssl_CTX_set1_groups_list(ctx, groups) == 1 else {
            throw TLSError.openSSL(.configuration, "cannot set key exchange groups \(groups)")
        }
        guard SSL_CTX_set_cipher_list(ctx, tls12Ciphers) == 1 else {
            throw TLSError.openSSL(.configuration, "cannot set TLS 1.2 cipher list")
        }
    }

    /// Reads a PEM file, or throws "cannot read <what> <path>: <reason>".
    static func readFile(_ path: String, what: String) throws(TLSError) -> [UInt8] {
        switch FileBytes.read(path) {
        case .success(let bytes): return bytes
        case .failure(let failure): throw TLSError(.configuration, "cannot read \(what) \(path): \(failure.reason)")
        }
    }

    /// Installs the leaf + chain from `certificateChainFile` and the key from `privateKeyFile`, and checks they match.
    static func useCertificateAndKey(
        _ ctx: OpaquePointer, certificateChainFile: String, privateKeyFile: String
    ) throws(TLSError) {
        let chainBytes = try readFile(certificateChainFile, what: "certificate file")
        let chain = PEM.certificates(chainBytes)
        guard let leaf = chain.first else {
            throw TLSError(.configuration, "no PEM certificate in certificate file \(certificateChainFile)")
        }
        let keyBytes = try readFile(privateKeyFile, what: "private key file")
        guard let key = PEM.privateKey(keyBytes) else {
            throw TLSError.openSSL(
                .configuration, "no usable PEM private key in \(privateKeyFile) (missing, malformed or encrypted)")
        }
        OpenSSLErrorQueue.clear()
        try useCertificateAndKey(ctx, leaf: leaf, chain: chain.dropFirst(), key: key) { () throws(TLSError) in
            throw TLSError.openSSL(
                .configuration, "private key \(privateKeyFile) does not match certificate \(certificateChainFile)")
        }
    }

    /// The in-memory half of `useCertificateAndKey`, shared with the self-signed context.
    static func useCertificateAndKey(
        _ ctx: OpaquePointer, leaf: X509Certificate, chain: ArraySlice<X509Certificate>, key: EVPKey,
        onMismatch: () throws(TLSError) -> Void
    ) throws(TLSError) {
        guard SSL_CTX_use_certificate(ctx, leaf.pointer) == 1 else {
            throw TLSError.openSSL(.configuration, "certificate rejected")
        }
        for intermediate in chain {
            let owned = intermediate.retainedPointer()
            guard curfew_ssl_CTX_add_extra_chain_cert(ctx, owned) == 1 else {
                X509_free(owned)
                throw TLSError.openSSL(.configuration, "intermediate certificate rejected")
            }
        }
        // SSL_CTX_use_PrivateKey already refuses a key that does not match the certificate; the explicit check below
        // catches the case where it did not (e.g. key types OpenSSL cannot compare at load time).
        guard SSL_CTX_use_PrivateKey(ctx, key.pointer) == 1, SSL_CTX_check_private_key(ctx) == 1 else {
            try onMismatch()
            return
        }
    }

    /// Adds every certificate in `path` to the context's trust store; `advertise` also sends their subjects in the
    /// CertificateRequest (the server's list of acceptable client-certificate issuers).
    static func trust(_ ctx: OpaquePointer, caFile path: String, what: String, advertise: Bool) throws(TLSError) {
        let certificates = PEM.certificates(try readFile(path, what: what))
        guard !certificates.isEmpty else { throw TLSError(.configuration, "no PEM certificate in \(what) \(path)") }
        let store = SSL_CTX_get_cert_store(ctx)
        for certificate in certificates {
            guard X509_STORE_add_cert(store, certificate.pointer) == 1 else {
                throw TLSError.openSSL(.configuration, "cannot trust a certificate of \(what) \(path)")
            }
            if advertise { _ = SSL_CTX_add_client_CA(ctx, certificate.pointer) }
        }
        OpenSSLErrorQueue.clear()
    }
}
