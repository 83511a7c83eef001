/// The outcome of checking a JWS signature.
public enum JWTSignatureCheck: Sendable, Equatable {
    case valid
    /// The signature does not verify, or the key's type does not fit the algorithm (HS/RS confusion).
    case invalid
    /// No key in the issuer's key set has this `kid` (or there is no key at all for the algorithm).
    case unknownKey
}

/// Checks the signature of a compact JWS. The policy decides *whether* a token is acceptable
/// (algorithms allowed for the issuer, claims, leeway); this protocol only does the cryptography, so that
/// CurfewPolicy never imports OpenSSL. CurfewTLS provides the OpenSSL implementation.
public protocol JWTSignatureVerifier: Sendable {
    /// - Parameters:
    ///   - algorithm: the JOSE `alg` from the token header (already checked against the issuer's list).
    ///   - keyID: the `kid` from the token header, if any.
    ///   - signingInput: the ASCII bytes `base64url(header) "." base64url(payload)`.
    ///   - signature: the decoded signature bytes.
    func verify(algorithm: String, keyID: String?, signingInput: [UInt8], signature: [UInt8]) -> JWTSignatureCheck
}
