/// Why curfew cut a connection or refused a handshake. The raw values are stable: they appear in logs, metrics
/// labels, admin API answers and websocket close reasons.
public enum CutReason: String, Sendable, Hashable, CaseIterable {
    case credentialExpired = "credential_expired"
    case certificateExpired = "certificate_expired"
    case maxAge = "max_age"
    case heartbeatMissed = "heartbeat_missed"
    case revoked = "revoked"
    case sessionDeleted = "session_deleted"
    case sessionCheckFailed = "session_check_failed"
    case userDeleted = "user_deleted"
    case passwordChanged = "password_changed"
    case userDisabled = "user_disabled"
    case shutdown = "shutdown"
}
