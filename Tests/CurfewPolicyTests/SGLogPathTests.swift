import Testing

@testable import CurfewPolicy

@Suite struct SGLogPathTests {
    private func fp(_ id: String) -> String { "fp(\(id))" }

    @Test func sessionIDsInAdminPathsAreReplaced() {
        #expect(SGLogPath.redacted("/db/_session/abc123", fingerprint: fp) == "/db/_session/fp(abc123)")
        #expect(SGLogPath.redacted("/db/_user/alice/_session/abc?x=1", fingerprint: fp) == "/db/_user/alice/_session/fp(abc)?x=1")
        #expect(SGLogPath.redacted("/db.s.c/_session/a%2Fb/", fingerprint: fp) == "/db.s.c/_session/fp(a/b)/")
        #expect(SGLogPath.redacted("/db/_session/%zz", fingerprint: fp) == "/db/_session/-")
    }

    @Test func otherPathsAreUnchanged() {
        for path in ["/db/_blipsync", "/db/_session", "/db/_session/", "/db/_user/alice/_session", "/", "-",
                     "/db/doc_session/x", "/db/x?_session/abc"] {
            #expect(SGLogPath.redacted(path, fingerprint: fp) == path, "\(path)")
        }
    }
}
