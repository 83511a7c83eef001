import FoundationEssentials

// Decoding of the few small Sync Gateway JSON bodies curfew reads. These run once per admin call or per session
// check, never per frame, so JSONDecoder is fine here. Extra fields are ignored; anything malformed gives nil.

/// Bodies larger than this are not SG's answers to the calls we read; refuse rather than decode them.
let sgBodyLimit = 64 * 1024

/// The response to `POST /{db}/_session` on the admin API:
/// `{"session_id": "…", "expires": "2026-12-03T20:15:04.123Z", "cookie_name": "SyncGatewaySession"}`.
public struct SGCreatedSession: Sendable, Equatable {
    /// The session id (the cookie value). Never log it.
    public var id: String
    /// The session's expiry, Unix milliseconds (from the RFC 3339 `expires`).
    public var expiresAt: Int64
    /// The cookie name configured for the database (`session_cookie_name`, default `SyncGatewaySession`).
    public var cookieName: String

    /// Creates a created-session value.
    public init(id: String, expiresAt: Int64, cookieName: String) {
        self.id = id
        self.expiresAt = expiresAt
        self.cookieName = cookieName
    }

    /// Decodes the response body; nil unless it is a JSON object with a non-empty string `session_id`, an
    /// RFC 3339 `expires` and a non-empty string `cookie_name`.
    public init?(responseBody body: some Sequence<UInt8>) {
        guard let wire = decodeSGBody(Wire.self, from: body), !wire.session_id.isEmpty, !wire.cookie_name.isEmpty,
            let expiresAt = RFC3339Date.parse(wire.expires)
        else { return nil }
        self.init(id: wire.session_id, expiresAt: expiresAt, cookieName: wire.cookie_name)
    }

    private struct Wire: Decodable {
        var session_id: String
        var expires: String
        var cookie_name: String
    }
}

/// The response to `GET /{db}/_session/{id}` on the admin API:
/// `{"authentication_handlers": […], "ok": true, "userCtx": {"name": "…", "channels": {…}}}` (no expiry in it).
public struct SGSessionInfo: Sendable, Equatable {
    /// The session's user; nil when `userCtx.name` is missing, null or empty (SG's way of saying "no user"),
    /// or when `ok` is false. A nil user means the session is not valid.
    public var user: String?

    /// Whether SG vouched for a user.
    public var isValid: Bool { user != nil }

    /// Creates a session-info value.
    public init(user: String?) {
        self.user = user
    }

    /// Decodes the response body; nil when it is not a JSON object (junk, wrong shape, too large).
    public init?(responseBody body: some Sequence<UInt8>) {
        guard let wire = decodeSGBody(Wire.self, from: body) else { return nil }
        if wire.ok == false {
            self.init(user: nil)
        } else if let name = wire.userCtx?.name, !name.isEmpty {
            self.init(user: name)
        } else {
            self.init(user: nil)
        }
    }

    private struct Wire: Decodable {
        var ok: Bool?
        var userCtx: UserContext?

        struct UserContext: Decodable {
            var name: String?

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                // A non-string name (number, object) is not a user name: treat it as absent, not as junk.
                name = try? container.decodeIfPresent(String.self, forKey: .name)
            }

            enum CodingKeys: String, CodingKey { case name }
        }
    }
}

/// What a `PUT`/`POST /{db}/_user/{name}` request body changes that matters to open connections.
public struct SGUserUpdate: Sendable, Equatable {
    /// The body has a non-null `password` field: SG rotates the user's session UUID, so all sessions die
    /// (`password_changed`). An empty string still counts: SG sets it.
    public var changesPassword: Bool
    /// The body has `"disabled": true` (`user_disabled`).
    public var disables: Bool

    /// Creates a user-update value.
    public init(changesPassword: Bool, disables: Bool) {
        self.changesPassword = changesPassword
        self.disables = disables
    }

    /// Decodes the request body; nil when it is not a JSON object.
    public init?(requestBody body: some Sequence<UInt8>) {
        guard let wire = decodeSGBody(Wire.self, from: body) else { return nil }
        self.init(changesPassword: wire.hasPassword, disables: wire.disabled)
    }

    private struct Wire: Decodable {
        var hasPassword: Bool
        var disabled: Bool

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Present and non-null, whatever its type: SG validates the type and we only act after its 2xx.
            hasPassword = container.contains(.password) && !((try? container.decodeNil(forKey: .password)) ?? true)
            disabled = (try? container.decodeIfPresent(Bool.self, forKey: .disabled)) == true
        }

        enum CodingKeys: String, CodingKey {
            case password
            case disabled
        }
    }
}

/// Decodes a small SG JSON body, or nil for oversized or malformed input.
private func decodeSGBody<T: Decodable>(_ type: T.Type, from body: some Sequence<UInt8>) -> T? {
    let data = Data(body)
    guard data.count <= sgBodyLimit else { return nil }
    return try? JSONDecoder().decode(T.self, from: data)
}
