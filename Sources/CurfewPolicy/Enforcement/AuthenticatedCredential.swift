/// The credential a connection was admitted with, once checked. Times are unix milliseconds.
public struct AuthenticatedCredential: Sendable, Equatable {
    public var kind: CredentialKind
    /// The Sync Gateway user name; nil for `.none` (anonymous) and for a certificate that names no user.
    public var user: String?
    /// A log-safe identifier chosen by the caller: the JWT `jti`, a session id fingerprint, a Basic credential
    /// fingerprint. Never the secret itself.
    public var credentialID: String?
    /// When the credential stops being valid: `exp + leeway` for a JWT, the session expiry (learned, or open +
    /// `session.max_age`), open + `basic.max_age` for Basic. Nil when it does not expire by itself.
    public var expiresAt: Int64?
    /// When it was issued (a JWT's `iat` × 1000), if known.
    public var issuedAt: Int64?

    public init(kind: CredentialKind, user: String?, credentialID: String?, expiresAt: Int64?, issuedAt: Int64?) {
        self.kind = kind
        self.user = user
        self.credentialID = credentialID
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
    }
}

extension AuthenticatedCredential {
    /// The credential for a verified bearer token: its `jti` as the log-safe id, and its seconds turned into
    /// milliseconds. `expiresAt` is the token's deadline (`exp + leeway`), where the connection is cut.
    public init(verified jwt: VerifiedJWT) {
        self.init(
            kind: .jwt, user: jwt.user, credentialID: jwt.jti, expiresAt: jwt.deadline.saturatingMultiply(1000),
            issuedAt: jwt.issuedAt.map { $0.saturatingMultiply(1000) })
    }
}
