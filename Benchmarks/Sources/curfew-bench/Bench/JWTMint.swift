import CurfewTLS

/// Mints HS256 JWTs (RFC 7519) for `cut` and `revoke`, as an identity provider sharing curfew's HMAC secret would.
struct JWTMint {
    let secret: [UInt8]
    let issuer: String
    let audience: String

    private static let header = Base64.encodeURL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    func token(subject: String, jti: String, issuedAt: Int64, expires: Int64) -> String {
        var claims = JSONLine()
        claims.add("iss", issuer)
        claims.add("aud", audience)
        claims.add("sub", subject)
        claims.add("iat", issuedAt)
        claims.add("exp", expires)
        claims.add("jti", jti)
        let signingInput = Self.header + "." + Base64.encodeURL(Array(claims.rendered.utf8))
        let signature = Digest.hmacSHA256(key: secret, message: Array(signingInput.utf8))
        return signingInput + "." + Base64.encodeURL(signature)
    }

    /// The secret file's bytes with trailing newlines removed (the convention of curfew's secret files).
    static func readSecret(_ path: String) throws(UsageError) -> [UInt8] {
        var bytes: [UInt8]
        switch SmallFile.read(path) {
        case .success(let b): bytes = b
        case .failure(let reason): throw UsageError("cannot read secret file \(path): \(reason.text)")
        }
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        guard !bytes.isEmpty else { throw UsageError("secret file \(path) is empty") }
        return bytes
    }
}
