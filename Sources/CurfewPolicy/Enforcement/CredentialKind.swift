/// The kind of credential that authenticated a connection, as written in logs (`jwt | session | basic | cert | none`).
public enum CredentialKind: String, Sendable, Hashable, CaseIterable {
    case jwt
    case session
    case basic
    case cert
    case none
}
