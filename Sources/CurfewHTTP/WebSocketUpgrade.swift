/// Whether a request asks to switch to the websocket protocol (RFC 6455 §4.1): an HTTP/1.1 `GET` whose
/// `Upgrade` lists `websocket` and whose `Connection` lists `upgrade` (tokens compared case-insensitively).
public func isWebSocketUpgrade(_ head: HTTPHead) -> Bool {
    head.kind == .request && head.versionMinor >= 1 && head.methodIs("GET")
        && head.hasToken("websocket", in: "upgrade") && head.hasToken("upgrade", in: "connection")
}
