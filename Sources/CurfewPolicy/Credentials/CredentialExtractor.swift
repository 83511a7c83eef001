/// Reads the credential a request presents from its header fields (the handshake of a websocket replication, or any
/// REST request). Pure: it decodes, it does not verify.
///
/// Precedence when several are present is Sync Gateway's own order (`rest/handler.go`): `Authorization: Bearer`,
/// `Authorization: Basic`, a `SyncGatewaySession_<id>` entry in `Sec-WebSocket-Protocol`, then the session cookie.
/// curfew must enforce the credential SG will actually authenticate, so it never picks differently.
public struct CredentialExtractor: Sendable {
    /// The session cookie name (SG's `session_cookie_name`; default `SyncGatewaySession`).
    public var sessionCookieName: String
    /// The prefix of the websocket one-time-session subprotocol entry.
    public var sessionSubprotocolPrefix: String

    public init(
        sessionCookieName: String = "SyncGatewaySession", sessionSubprotocolPrefix: String = "SyncGatewaySession_"
    ) {
        self.sessionCookieName = sessionCookieName
        self.sessionSubprotocolPrefix = sessionSubprotocolPrefix
    }

    /// - Parameter headers: the request's header fields in order; names are compared case-insensitively.
    public func extract(from headers: [(name: String, value: String)]) -> PresentedCredential {
        var authorization: [String] = []
        var cookies: [String] = []
        var subprotocols: [String] = []
        for field in headers {
            if asciiCaseInsensitiveEquals(field.name, "authorization") {
                authorization.append(field.value)
            } else if asciiCaseInsensitiveEquals(field.name, "cookie") {
                cookies.append(field.value)
            } else if asciiCaseInsensitiveEquals(field.name, "sec-websocket-protocol") {
                subprotocols.append(field.value)
            }
        }

        // Two Authorization fields cannot be combined (RFC 9110 §5.3) and different parsers would pick different ones.
        if authorization.count > 1 { return .malformed(reason: "multiple_authorization") }
        if let value = authorization.first {
            switch Self.parseAuthorization(value) {
            case .credential(let credential): return credential
            case .otherScheme: break  // SG ignores schemes it does not know and falls through to the session
            }
        }

        let prefix = sessionSubprotocolPrefix
        let sessionEntries = HeaderLists.commaSeparated(subprotocols).filter { $0.hasPrefix(prefix) }
        if sessionEntries.count > 1 { return .malformed(reason: "multiple_session_subprotocols") }
        if let entry = sessionEntries.first {
            let id = String(entry.dropFirst(prefix.count))
            if id.isEmpty { return .malformed(reason: "empty_session_subprotocol") }
            return .session(id: id, source: .subprotocol)
        }

        if let id = HeaderLists.cookie(named: sessionCookieName, in: cookies), !id.isEmpty {
            return .session(id: id, source: .cookie)
        }
        return .none
    }

    private enum AuthorizationParse {
        case credential(PresentedCredential)
        case otherScheme
    }

    private static func parseAuthorization(_ value: String) -> AuthorizationParse {
        let bytes = HeaderLists.trimmed(Array(value.utf8)[...])
        let schemeEnd = bytes.firstIndex(of: UInt8(ascii: " ")) ?? bytes.endIndex
        let scheme = String(decoding: bytes[bytes.startIndex..<schemeEnd], as: UTF8.self)
        let rest = HeaderLists.trimmed(bytes[schemeEnd...])

        if asciiCaseInsensitiveEquals(scheme, "bearer") {
            if rest.isEmpty { return .credential(.malformed(reason: "empty_bearer")) }
            // RFC 6750 b64token: a single token, no inner whitespace.
            if rest.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                return .credential(.malformed(reason: "bearer_not_a_token"))
            }
            return .credential(.bearer(token: String(decoding: rest, as: UTF8.self)))
        }
        if asciiCaseInsensitiveEquals(scheme, "basic") {
            guard !rest.isEmpty, let decoded = Base64.decode(rest, alphabet: .standard) else {
                return .credential(.malformed(reason: "basic_not_base64"))
            }
            guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else {
                return .credential(.malformed(reason: "basic_no_colon"))
            }
            guard let user = String(validating: decoded[..<colon], as: UTF8.self),
                let password = String(validating: decoded[(colon + 1)...], as: UTF8.self)
            else { return .credential(.malformed(reason: "basic_not_utf8")) }
            if user.isEmpty { return .credential(.malformed(reason: "basic_empty_user")) }
            return .credential(.basic(user: user, password: password))
        }
        return .otherScheme
    }
}

/// ASCII case-insensitive comparison for header names and auth schemes (no Unicode folding, no allocation).
func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8) { x, y in lowerASCII(x) == lowerASCII(y) }
}

@inline(__always)
private func lowerASCII(_ b: UInt8) -> UInt8 {
    b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
}
