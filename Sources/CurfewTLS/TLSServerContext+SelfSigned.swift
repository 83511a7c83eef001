internal import COpenSSL

extension TLSServerContext {
    /// A context with a fresh EC P-256 key and a self-signed certificate made in memory, for development and tests.
    ///
    /// The certificate's subject CN is the first host name; every host name becomes a subjectAltName entry (IP
    /// literals as iPAddress, others as dNSName). Valid from one hour ago (clock skew) for 30 days.
    public static func selfSigned(
        hostnames: [String] = ["localhost", "127.0.0.1", "::1"]
    ) throws(TLSError) -> TLSServerContext {
        OpenSSLErrorQueue.clear()
        let key = try SelfSigned.generateP256Key()
        let certificate = try SelfSigned.certificate(key: key, hostnames: hostnames)
        let pem = SelfSigned.pem(certificate)
        return try TLSServerContext(alpn: ["http/1.1"], certificatePEM: pem) { ctx throws(TLSError) in
            try ContextConfiguration.useCertificateAndKey(ctx, leaf: certificate, chain: [], key: key) {
                () throws(TLSError) in
                throw TLSError.openSSL(.configuration, "self-signed key does not match its certificate")
            }
        }
    }
}

enum SelfSigned {
    static let validityBefore: Int = 3600
    static let validityDays: Int = 30

    static func generateP256Key() throws(TLSError) -> EVPKey {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw TLSError.openSSL(.configuration, "cannot create an EC key generator")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1,
            EVP_PKEY_generate(ctx, &key) == 1, let key
        else { throw TLSError.openSSL(.configuration, "cannot generate an EC P-256 key") }
        return EVPKey(taking: key)
    }

    static func certificate(key: EVPKey, hostnames: [String]) throws(TLSError) -> X509Certificate {
        guard let first = hostnames.first else {
            throw TLSError(.configuration, "a self-signed certificate needs at least one host name")
        }
        guard let raw = X509_new() else { throw TLSError.openSSL(.configuration, "cannot allocate a certificate") }
        let certificate = X509Certificate(taking: raw)
        let x = certificate.pointer
        var serial = SecureRandom.bytes(16)
        serial[0] &= 0x7f  // a positive INTEGER
        let serialNumber = serial.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
        defer { BN_free(serialNumber) }
        let subjectAltName = hostnames.map { (IPAddress.isLiteral($0) ? "IP:" : "DNS:") + $0 }.joined(separator: ",")
        guard X509_set_version(x, 2) == 1,  // v3
            BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(x)) != nil,
            X509_gmtime_adj(X509_getm_notBefore(x), -validityBefore) != nil,
            X509_gmtime_adj(X509_getm_notAfter(x), validityDays * 86_400) != nil,
            X509_set_pubkey(x, key.pointer) == 1,
            X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, first, -1, -1, 0) == 1,
            X509_set_issuer_name(x, X509_get_subject_name(x)) == 1,
            addExtension(x, NID_subject_alt_name, subjectAltName),
            addExtension(x, NID_basic_constraints, "critical,CA:FALSE"),
            addExtension(x, NID_ext_key_usage, "serverAuth"),
            X509_sign(x, key.pointer, EVP_sha256()) > 0
        else { throw TLSError.openSSL(.configuration, "cannot build a self-signed certificate for \(hostnames)") }
        return certificate
    }

    private static func addExtension(_ x: OpaquePointer, _ nid: Int32, _ value: String) -> Bool {
        guard let ext = X509V3_EXT_conf_nid(nil, nil, nid, value) else { return false }
        defer { X509_EXTENSION_free(ext) }
        return X509_add_ext(x, ext, -1) == 1
    }

    static func pem(_ certificate: X509Certificate) -> String? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard PEM_write_bio_X509(bio, certificate.pointer) == 1 else { return nil }
        return MemoryBIO.readAll(bio)
    }
}

extension MemoryBIO {
    /// Everything written to a memory BIO, as text (PEM, X.509 names).
    static func readAll(_ bio: OpaquePointer) -> String {
        let pending = Int(BIO_ctrl_pending(bio))
        var bytes = [UInt8](repeating: 0, count: pending)
        let n = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
        return String(decoding: bytes.prefix(max(Int(n), 0)), as: UTF8.self)
    }
}
