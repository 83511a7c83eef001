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
