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
