/// A bearer token that passed every check. Dates are unix seconds.
public struct VerifiedJWT: Sendable, Equatable {
    /// The value of the issuer's user claim.
    public var user: String
    public var issuer: String
    /// `jti`, kept for revocation; nil when absent or not a string.
    public var jti: String?
    /// `iat`, rounded down to the whole second.
    public var issuedAt: Int64?
    /// `nbf`, rounded up to the whole second.
    public var notBefore: Int64?
    /// `exp`, rounded down to the whole second.
    public var expiresAt: Int64
    /// `expiresAt + leeway`: the last instant is `deadline - 1`; the connection is cut at `deadline`.
    public var deadline: Int64

    public init(
        user: String, issuer: String, jti: String?, issuedAt: Int64?, notBefore: Int64?, expiresAt: Int64,
        deadline: Int64
    ) {
        self.user = user
        self.issuer = issuer
        self.jti = jti
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.deadline = deadline
    }
}
