/// An admin API call (port 4985) that curfew must act on once Sync Gateway has answered it with a 2xx.
///
/// The admin listener forwards every call unchanged; only these few change who may stay connected. The runtime
/// classifies the request, relays it, and acts on the classification only when SG's status is 2xx (SG is the
/// judge of whether the call was allowed and took effect).
public enum SGAdminAction: Sendable, Equatable {
    /// `POST /{db}/_session`: the response body carries the new session's id and expiry (see `SGCreatedSession`).
    case createSession(db: String)
    /// `DELETE /{db}/_session/{id}`: cut that session's connections (`session_deleted`).
    case deleteSession(db: String, id: String)
    /// `DELETE /{db}/_user/{name}/_session`: cut all of the user's session connections (`session_deleted`).
    case deleteUserSessions(db: String, user: String)
    /// `DELETE /{db}/_user/{name}/_session/{id}`: cut only that session's connections (`session_deleted`).
    case deleteUserSession(db: String, user: String, id: String)
    /// `DELETE /{db}/_user/{name}`: cut all of the user's connections (`user_deleted`).
    case deleteUser(db: String, user: String)
    /// `PUT` or `POST /{db}/_user/{name}`: read the request body (`SGUserUpdate`) for a password change or
    /// `"disabled": true`.
    case updateUser(db: String, user: String)

    /// Classifies an admin request, or returns nil when curfew has nothing to do with it.
    ///
    /// - Parameters:
    ///   - method: the request method, compared exactly (methods are case-sensitive, RFC 9110 §9.1, and SG's
    ///     router matches them exactly).
    ///   - path: the request target in origin form; the query string is ignored, segments are percent-decoded,
    ///     empty segments (trailing slashes) are ignored, and a keyspace `db.scope.coll` counts as `db`.
    public static func classify(method: String, path: String) -> SGAdminAction? {
        guard let segments = SGPath.segments(ofPath: path), segments.count >= 2,
            let db = SGPath.database(ofKeyspace: segments[0])
        else { return nil }

        switch (method, segments[1], segments.count) {
        case ("POST", "_session", 2):
            return .createSession(db: db)
        case ("DELETE", "_session", 3):
            return .deleteSession(db: db, id: segments[2])
        case ("DELETE", "_user", 3):
            return .deleteUser(db: db, user: segments[2])
        case ("PUT", "_user", 3), ("POST", "_user", 3):
            return .updateUser(db: db, user: segments[2])
        case ("DELETE", "_user", 4) where segments[3] == "_session":
            return .deleteUserSessions(db: db, user: segments[2])
        case ("DELETE", "_user", 5) where segments[3] == "_session":
            return .deleteUserSession(db: db, user: segments[2], id: segments[4])
        default:
            return nil
        }
    }
}
