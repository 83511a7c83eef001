import Testing

@testable import CurfewPolicy

@Suite struct SGAdminRequestTests {
    @Test(arguments: [
        ("POST", "/db/_session", SGAdminAction.createSession(db: "db")),
        ("DELETE", "/db/_session/abc123", .deleteSession(db: "db", id: "abc123")),
        ("DELETE", "/db/_user/bob/_session", .deleteUserSessions(db: "db", user: "bob")),
        ("DELETE", "/db/_user/bob/_session/abc123", .deleteUserSession(db: "db", user: "bob", id: "abc123")),
        ("DELETE", "/db/_user/bob", .deleteUser(db: "db", user: "bob")),
        ("PUT", "/db/_user/bob", .updateUser(db: "db", user: "bob")),
        ("POST", "/db/_user/bob", .updateUser(db: "db", user: "bob")),
    ])
    func classifiesEachAction(method: String, path: String, expected: SGAdminAction) {
        #expect(SGAdminAction.classify(method: method, path: path) == expected)
    }

    @Test func keyspaceCountsAsItsDatabase() {
        #expect(SGAdminAction.classify(method: "POST", path: "/db.scope.coll/_session") == .createSession(db: "db"))
        #expect(SGAdminAction.classify(method: "DELETE", path: "/travel.inventory/_user/amy") == .deleteUser(
            db: "travel", user: "amy"))
    }

    @Test func segmentsArePercentDecoded() {
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/a%2Fb") == .deleteUser(db: "db", user: "a/b"))
        #expect(SGAdminAction.classify(method: "PUT", path: "/my%2Ddb/_user/j%C3%BCrgen") == .updateUser(
            db: "my-db", user: "jürgen"))
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_session/ab%63") == .deleteSession(
            db: "db", id: "abc"))
        // `+` is not a space in a path.
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/a+b") == .deleteUser(db: "db", user: "a+b"))
        // An encoded first segment is decoded before the keyspace split.
        #expect(SGAdminAction.classify(method: "POST", path: "/db%2Escope/_session") == .createSession(db: "db"))
    }

    @Test func invalidEscapesAreUnreadable() {
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/bob%") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/bob%2") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/bob%zz") == nil)
        // %FF alone is not UTF-8.
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/%FF") == nil)
    }

    @Test func trailingAndDoubledSlashesAreIgnored() {
        #expect(SGAdminAction.classify(method: "POST", path: "/db/_session/") == .createSession(db: "db"))
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/bob/") == .deleteUser(db: "db", user: "bob"))
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/bob/_session/") == .deleteUserSessions(
            db: "db", user: "bob"))
        #expect(SGAdminAction.classify(method: "DELETE", path: "//db//_session//x1/") == .deleteSession(
            db: "db", id: "x1"))
    }

    @Test func queryStringIsIgnored() {
        #expect(SGAdminAction.classify(method: "POST", path: "/db/_session?x=1") == .createSession(db: "db"))
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/bob?a=/_session") == .deleteUser(
            db: "db", user: "bob"))
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_session/s1?") == .deleteSession(db: "db", id: "s1"))
    }

    @Test(arguments: [
        "/_config", "/_status", "/_all_dbs", "/_session", "/_config/_session", "/_user/bob", "/_db/_user/bob",
        "/_db/_session",
    ])
    func underscoreFirstSegmentIsNeverADatabase(path: String) {
        for method in ["GET", "POST", "PUT", "DELETE"] {
            #expect(SGAdminAction.classify(method: method, path: path) == nil)
        }
        #expect(SGPath.database(ofPath: path) == nil)
    }

    @Test func wrongMethodsGiveNil() {
        #expect(SGAdminAction.classify(method: "GET", path: "/db/_session") == nil)
        #expect(SGAdminAction.classify(method: "PUT", path: "/db/_session") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_session") == nil)
        #expect(SGAdminAction.classify(method: "GET", path: "/db/_session/abc") == nil)
        #expect(SGAdminAction.classify(method: "POST", path: "/db/_session/abc") == nil)
        #expect(SGAdminAction.classify(method: "GET", path: "/db/_user/bob") == nil)
        #expect(SGAdminAction.classify(method: "PATCH", path: "/db/_user/bob") == nil)
        #expect(SGAdminAction.classify(method: "PUT", path: "/db/_user/bob/_session") == nil)
        #expect(SGAdminAction.classify(method: "GET", path: "/db/_user/bob/_session/abc") == nil)
        // Methods are case-sensitive.
        #expect(SGAdminAction.classify(method: "delete", path: "/db/_user/bob") == nil)
        #expect(SGAdminAction.classify(method: "post", path: "/db/_session") == nil)
    }

    @Test func otherPathsGiveNil() {
        #expect(SGAdminAction.classify(method: "POST", path: "/db/_user/") == nil)  // create: no name in the path
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_role/admin") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/bob/_sessions") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/bob/_session/a/b") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_session/a/b") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_user/bob/x") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/doc1") == nil)
        #expect(SGAdminAction.classify(method: "DELETE", path: "/db/_Session/abc") == nil)
        // Absolute-form targets are not understood.
        #expect(SGAdminAction.classify(method: "DELETE", path: "http://sg:4985/db/_user/bob") == nil)
    }

    @Test func databaseOfPublicPaths() {
        #expect(SGPath.database(ofPath: "/db.scope.coll/_changes") == "db")
        #expect(SGPath.database(ofPath: "/db.scope.coll/_changes?feed=continuous&since=0") == "db")
        #expect(SGPath.database(ofPath: "/db/_blipsync") == "db")
        #expect(SGPath.database(ofPath: "/db") == "db")
        #expect(SGPath.database(ofPath: "/db/") == "db")
        #expect(SGPath.database(ofPath: "/db?x") == "db")
        #expect(SGPath.database(ofPath: "//db/doc") == "db")
        #expect(SGPath.database(ofPath: "/my%2Fdb/doc") == "my/db")
        #expect(SGPath.database(ofPath: "/db%2Escope.coll/_changes") == "db")
        #expect(SGPath.database(ofPath: "/") == nil)
        #expect(SGPath.database(ofPath: "") == nil)
        #expect(SGPath.database(ofPath: "/?db") == nil)
        #expect(SGPath.database(ofPath: "/.scope/x") == nil)
        #expect(SGPath.database(ofPath: "/%5Fconfig") == nil)  // decoded `_config`
        #expect(SGPath.database(ofPath: "/bad%zz/x") == nil)
        #expect(SGPath.database(ofPath: "db/x") == nil)
    }
}
