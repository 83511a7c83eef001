/// The credential a request carries, as read from its headers, before anything is verified.
///
/// `CustomStringConvertible` is deliberately log-safe: it names the form, never the token, password or session id.
public enum PresentedCredential: Sendable, Equatable, CustomStringConvertible {
    /// Where a Sync Gateway session id was found.
    public enum SessionSource: String, Sendable, Equatable {
        /// The session cookie (`SyncGatewaySession` unless configured otherwise).
        case cookie
        /// A `SyncGatewaySession_<id>` entry in `Sec-WebSocket-Protocol` (SG 4.1+ one-time websocket token).
        case subprotocol
    }

    case bearer(token: String)
    case basic(user: String, password: String)
    case session(id: String, source: SessionSource)
    case none
    /// The headers try to carry a credential but cannot be read unambiguously; refuse with 401 rather than guess.
    /// `reason` is a stable, log-safe string such as `multiple_authorization`.
    case malformed(reason: String)

    public var description: String {
        switch self {
        case .bearer: "bearer"
        case .basic: "basic"
        case .session(_, let source): "session(\(source.rawValue))"
        case .none: "none"
        case .malformed(let reason): "malformed(\(reason))"
        }
    }
}
