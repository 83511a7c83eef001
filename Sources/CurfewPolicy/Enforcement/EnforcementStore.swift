/// A Sync Gateway user: SG users belong to one database, so the database is part of the key. `db` is nil where the
/// database is not known (e.g. a user named by a client certificate outside any database path).
public struct UserKey: Sendable, Hashable, CustomStringConvertible {
    public var db: String?
    public var name: String

    public init(db: String?, name: String) {
        self.db = db
        self.name = name
    }

    public var description: String { db.map { "\($0)/\(name)" } ?? name }
}

/// What an operator (or the SG-awareness checks) can revoke.
public enum RevocationTarget: Sendable, Hashable {
    /// Every credential of the user issued (JWT `iat`) or first seen (session) at or before the revocation.
    case user(UserKey)
    /// One SG session id (or the fingerprint the caller uses for it, consistently).
    case session(String)
    /// One JWT, by `jti`.
    case jti(String)
    /// One credential by its log-safe id (e.g. a Basic credential fingerprint).
    case credential(String)
}

/// A change to a user that SG itself does not enforce on live connections.
public enum UserChangeKind: String, Sendable, Hashable, CaseIterable {
    case disabled
    case passwordChanged = "password_changed"

    public var cutReason: CutReason {
        switch self {
        case .disabled: .userDisabled
        case .passwordChanged: .passwordChanged
        }
    }
}

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

/// The state curfew's workers share about users and credentials: heartbeats, revocations and user changes.
///
/// This is the seam where a shared store (Redis) slots in so that several curfew instances agree, which is why it is
/// small and value-in/value-out: every method is one round trip. Times are unix milliseconds, passed in.
public protocol EnforcementStore: Sendable {
    /// An authenticated heartbeat from `user` arrived at `at`. Also clears a pending "heartbeat missed" mark made at
    /// or before `at`.
    func recordHeartbeat(user: UserKey, at: Int64)
    /// The latest heartbeat recorded for `user`, if any is still retained.
    func lastHeartbeat(user: UserKey) -> Int64?
    /// A connection of `user` was cut with `heartbeat_missed` at `at`; the user now owes a heartbeat.
    func markHeartbeatMissed(user: UserKey, at: Int64)
    /// When the user was marked as owing a heartbeat, or nil when they do not (never missed, or a heartbeat came).
    ///
    /// Deliberately not part of `refusal(for:now:)`: the heartbeat itself arrives as an authenticated request, and
    /// refusing it would lock the user out for good. The runtime decides what an owed heartbeat means for a handshake.
    func heartbeatMissedSince(user: UserKey) -> Int64?
    /// Revokes `target` from `at`; the entry is kept (and enforced) while `now < until`, then purged.
    func revoke(_ target: RevocationTarget, at: Int64, until: Int64)
    /// SG reported (or an operator recorded) that `user` was disabled or changed password at `at`.
    func recordUserChange(user: UserKey, kind: UserChangeKind, at: Int64)
    /// The one question the handshake asks: must this credential be refused, and why? Nil means admit.
    func refusal(for facts: CredentialFacts, now: Int64) -> CutReason?
}
