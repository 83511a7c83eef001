import CurfewTLS

/// The identity provider of `curfew demo`: mints short-lived HS256 JWTs for the built-in client, with the secret
/// that the demo configuration gives curfew's `credentials.jwt` issuer. Demo only: a real deployment verifies
/// tokens from its own identity provider and never holds a signing key.
struct DemoTokenIssuer: Sendable {
    static let issuer = "https://demo.curfew.invalid"
    static let audience = "sync"
    static let user = "demo-app"

    let secret: [UInt8]

    /// A signed token for `user`, valid from `now` for `lifetime` seconds, with a `jti` that names it in the log.
    func token(jti: String, nowSeconds: Int64, lifetime: Int64) -> String {
        // The values are fixed ASCII without quotes or backslashes, so no JSON escaping is needed.
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        let claims =
            #"{"iss":"\#(Self.issuer)","aud":"\#(Self.audience)","sub":"\#(Self.user)","#
            + #""iat":\#(nowSeconds),"exp":\#(nowSeconds + lifetime),"jti":"\#(jti)"}"#
        let signingInput = Base64.encodeURL(Array(header.utf8)) + "." + Base64.encodeURL(Array(claims.utf8))
        let signature = Digest.hmacSHA256(key: secret, message: Array(signingInput.utf8))
        return signingInput + "." + Base64.encodeURL(signature)
    }
}
