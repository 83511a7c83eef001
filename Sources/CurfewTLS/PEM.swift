internal import COpenSSL

/// PEM decoding from bytes already read (see `FileBytes`), so that errors can name the file.
enum PEM {
    /// Every certificate in `bytes`, in order (leaf first for a chain file).
    static func certificates(_ bytes: [UInt8]) -> [X509Certificate] {
        let bio = MemoryBIO(bytes)
        var certificates: [X509Certificate] = []
        // The first certificate may carry trust settings (`X509_AUX`), as SSL_CTX_use_certificate_chain_file reads it.
        if let first = PEM_read_bio_X509_AUX(bio.pointer, nil, refusePassword, nil) {
            certificates.append(X509Certificate(taking: first))
            while let next = PEM_read_bio_X509(bio.pointer, nil, refusePassword, nil) {
                certificates.append(X509Certificate(taking: next))
            }
        }
        // Reaching the end of the bundle queues PEM_R_NO_START_LINE; that is how the loop ends, not a failure.
        OpenSSLErrorQueue.clear()
        return certificates
    }

    /// The first private key in `bytes`, or nil (none, malformed, or encrypted: curfew never prompts).
    static func privateKey(_ bytes: [UInt8]) -> EVPKey? {
        let bio = MemoryBIO(bytes)
        guard let key = PEM_read_bio_PrivateKey(bio.pointer, nil, refusePassword, nil) else { return nil }
        return EVPKey(taking: key)
    }
}

/// A PEM password callback that supplies none. With a nil callback OpenSSL would prompt on the terminal, which a
/// daemon must never do; encrypted keys fail to load instead.
private let refusePassword:
    @convention(c) (
        UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?
    ) -> Int32 = { _, _, _, _ in 0 }
