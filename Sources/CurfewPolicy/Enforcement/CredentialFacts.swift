/// What the handshake knows about a credential, for `EnforcementStore.refusal(for:now:)`. Times are unix ms.
public struct CredentialFacts: Sendable, Equatable {
    public var user: UserKey?
    public var kind: CredentialKind
    public var jti: String?
    public var sessionID: String?
    /// A JWT's `iat` × 1000 (JWT dates are whole seconds). Nil when the token has no `iat`.
    public var issuedAt: Int64?
    /// When curfew first saw this session id (or Basic credential id). Nil means "first seen now": it is new.
    public var firstSeen: Int64?
    /// The log-safe credential id (see `AuthenticatedCredential.credentialID`).
    public var credentialID: String?

    public init(
        user: UserKey?, kind: CredentialKind, jti: String? = nil, sessionID: String? = nil, issuedAt: Int64? = nil,
        firstSeen: Int64? = nil, credentialID: String? = nil
    ) {
        self.user = user
        self.kind = kind
        self.jti = jti
        self.sessionID = sessionID
        self.issuedAt = issuedAt
        self.firstSeen = firstSeen
        self.credentialID = credentialID
    }
}
