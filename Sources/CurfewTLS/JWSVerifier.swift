internal import COpenSSL
public import CurfewPolicy

/// Verifies JWS signatures with OpenSSL, for the JWT checks in CurfewPolicy.
///
/// A verifier holds either a JWK set (asymmetric algorithms) or one HMAC secret (HS256/384/512), never both, so
/// a key can only ever be used with algorithms of its own type. Results:
/// - `.unknownKey`: the token names a `kid` the set does not have, or the verifier has no keys at all.
/// - `.invalid`: unknown or `none` algorithm, a key whose type does not fit the algorithm (even when named by
///   `kid`), a key whose own `alg` differs, a malformed signature, or a signature that does not verify.
///
/// An empty HMAC secret verifies nothing (`.invalid`): an empty key would make every HS token forgeable.
///
/// SAFETY: `@unchecked Sendable` because the keys are immutable EVP_PKEYs, which OpenSSL 3 allows to be used
/// for verification from several threads at once; each call creates its own EVP_MD_CTX.
public final class JWSVerifier: JWTSignatureVerifier, @unchecked Sendable {
    private let keys: [JWK]
    private let hmacSecret: [UInt8]?

    /// Asymmetric verification (RS*, PS*, ES*, EdDSA) with the keys of an issuer's JWK set.
    public init(keySet: JWKSet) {
        keys = keySet.keys
        hmacSecret = nil
    }

    /// HMAC verification (HS256/384/512) with a shared secret.
    public init(hmacSecret: [UInt8]) {
        keys = []
        self.hmacSecret = hmacSecret
    }

    public func verify(
        algorithm: String, keyID: String?, signingInput: [UInt8], signature: [UInt8]
    ) -> JWTSignatureCheck {
        guard let alg = JWSAlgorithm(algorithm) else { return .invalid }
        if let hmacSecret {
            guard case .hs(let digest) = alg else { return .invalid }
            return SignatureCheck.hmac(digest, secret: hmacSecret, input: signingInput, signature: signature)
                ? .valid : .invalid
        }
        if keys.isEmpty { return .unknownKey }
        let candidates: [JWK]
        if let keyID {
            let named = keys.filter { $0.keyID == keyID }
            if named.isEmpty { return .unknownKey }
            candidates = named
        } else {
            candidates = keys
        }
        let fitting = candidates.filter { alg.fits($0.type) && ($0.algorithm == nil || $0.algorithm == algorithm) }
        for key in fitting where SignatureCheck.verify(alg, key: key.key, input: signingInput, signature: signature) {
            return .valid
        }
        return .invalid
    }
}

/// The cryptography, one signature family per function.
enum SignatureCheck {
    static func verify(_ alg: JWSAlgorithm, key: EVPKey, input: [UInt8], signature: [UInt8]) -> Bool {
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        switch alg {
        case .rs(let digest):
            return digestVerify(key, digest.md, input, signature) { _ in true }
        case .ps(let digest):
            return digestVerify(key, digest.md, input, signature) { pkeyContext in
                EVP_PKEY_CTX_set_rsa_padding(pkeyContext, RSA_PKCS1_PSS_PADDING) == 1
                    && EVP_PKEY_CTX_set_rsa_pss_saltlen(pkeyContext, RSA_PSS_SALTLEN_DIGEST) == 1
                    && EVP_PKEY_CTX_set_rsa_mgf1_md(pkeyContext, digest.md) == 1
            }
        case .es(let digest, let curve):
            guard let der = ECDSASignature.der(fromJOSE: signature, coordinateSize: curve.coordinateSize) else {
                return false
            }
            return digestVerify(key, digest.md, input, der) { _ in true }
        case .edDSA:
            // Ed25519 hashes internally (PureEdDSA): no digest, and a one-shot EVP_DigestVerify.
            guard signature.count == 64 else { return false }
            return digestVerify(key, nil, input, signature) { _ in true }
        case .hs:
            return false  // never with a public key; see JWSAlgorithm.fits
        }
    }

    private static func digestVerify(
        _ key: EVPKey, _ md: OpaquePointer?, _ input: [UInt8], _ signature: [UInt8],
        configure: (OpaquePointer?) -> Bool
    ) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        var pkeyContext: OpaquePointer? = nil
        guard EVP_DigestVerifyInit(context, &pkeyContext, md, nil, key.pointer) == 1, configure(pkeyContext) else {
            return false
        }
        let rc = signature.withUnsafeBufferPointer { sig in
            input.withUnsafeBufferPointer { tbs in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, tbs.baseAddress, tbs.count)
            }
        }
        return rc == 1
    }

    static func hmac(_ digest: JWSAlgorithm.DigestSize, secret: [UInt8], input: [UInt8], signature: [UInt8]) -> Bool {
        guard !secret.isEmpty, let mac = Digest.hmac(digest.md, key: secret, message: input) else { return false }
        return ConstantTime.equals(mac, signature)
    }
}

/// JOSE ECDSA signatures are raw `r || s`, each exactly the curve's coordinate size (RFC 7518 §3.4); OpenSSL wants
/// a DER ECDSA-Sig-Value.
enum ECDSASignature {
    /// Nil when the length is not exactly twice the coordinate size (DER-encoded JOSE signatures are invalid).
    static func der(fromJOSE signature: [UInt8], coordinateSize: Int) -> [UInt8]? {
        guard signature.count == 2 * coordinateSize else { return nil }
        let r = integer(signature[0..<coordinateSize])
        let s = integer(signature[coordinateSize...])
        return [0x30] + length(r.count + s.count) + r + s
    }

    /// A DER INTEGER: minimal big-endian, with a 0x00 prefix when the top bit is set (it is unsigned).
    private static func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var value = Array(bytes.drop { $0 == 0 })
        if value.isEmpty { value = [0] }
        if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
        return [0x02] + length(value.count) + value
    }

    private static func length(_ n: Int) -> [UInt8] {
        n < 0x80 ? [UInt8(n)] : [0x81, UInt8(n)]  // P-521 sequences reach 139 bytes; never above 255
    }
}
