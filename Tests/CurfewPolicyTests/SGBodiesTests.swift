import Testing

@testable import CurfewPolicy

@Suite struct SGBodiesTests {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func createdSessionDecodes() throws {
        let body = bytes(
            #"{"session_id":"c5af80a039db4ed9d2b6865576b6999935282689","expires":"2026-12-04T20:15:04.123Z","#
                + #""cookie_name":"SyncGatewaySession"}"#)
        let session = try #require(SGCreatedSession(responseBody: body))
        #expect(session.id == "c5af80a039db4ed9d2b6865576b6999935282689")
        #expect(session.expiresAt == 1_796_328_904_000 + 86_400_000 + 123)
        #expect(session.cookieName == "SyncGatewaySession")
    }

    @Test func createdSessionToleratesExtraFieldsAndOffsets() throws {
        let body = bytes(
            #"{"extra":[1,{"a":null}],"cookie_name":"MyCookie","session_id":"s1","#
                + #""expires":"2026-12-03T21:15:04.5+01:00","ttl":3600}"#)
        let session = try #require(SGCreatedSession(responseBody: body))
        #expect(session.id == "s1")
        #expect(session.expiresAt == 1_796_328_904_500)
        #expect(session.cookieName == "MyCookie")
    }

    @Test(arguments: [
        "", "null", "[]", "42", "{", "not json at all",
        #"{"session_id":"s1","cookie_name":"c"}"#,  // no expires
        #"{"session_id":"s1","expires":"tomorrow","cookie_name":"c"}"#,
        #"{"session_id":"","expires":"2026-12-03T20:15:04Z","cookie_name":"c"}"#,
        #"{"session_id":"s1","expires":"2026-12-03T20:15:04Z","cookie_name":""}"#,
        #"{"session_id":7,"expires":"2026-12-03T20:15:04Z","cookie_name":"c"}"#,
        #"{"session_id":"s1","expires":1796328904,"cookie_name":"c"}"#,
    ])
    func createdSessionRejectsJunk(body: String) {
        #expect(SGCreatedSession(responseBody: bytes(body)) == nil)
    }

    @Test func createdSessionRejectsOversizedBody() {
        let padding = String(repeating: " ", count: sgBodyLimit)
        let body = bytes(
            #"{"session_id":"s1","expires":"2026-12-03T20:15:04Z","cookie_name":"c"}"# + padding)
        #expect(SGCreatedSession(responseBody: body) == nil)
    }

    @Test func sessionInfoReadsUser() throws {
        let body = bytes(
            #"{"authentication_handlers":["default","cookie"],"ok":true,"#
                + #""userCtx":{"channels":{"!":1,"news":12},"name":"bob"}}"#)
        let info = try #require(SGSessionInfo(responseBody: body))
        #expect(info.user == "bob")
        #expect(info.isValid)
    }

    @Test(arguments: [
        #"{"ok":true,"userCtx":{"name":"","channels":{}}}"#,
        #"{"ok":true,"userCtx":{"name":null,"channels":{}}}"#,
        #"{"ok":true,"userCtx":{"channels":{}}}"#,
        #"{"ok":true,"userCtx":{"name":17}}"#,
        #"{"ok":true}"#,
        #"{"ok":false,"userCtx":{"name":"bob"}}"#,
        #"{}"#,
    ])
    func sessionInfoWithoutUserIsNotValid(body: String) throws {
        let info = try #require(SGSessionInfo(responseBody: bytes(body)))
        #expect(info.user == nil)
        #expect(!info.isValid)
    }

    @Test(arguments: ["", "[]", "\"bob\"", "{\"userCtx\":", "<html>404</html>"])
    func sessionInfoRejectsJunk(body: String) {
        #expect(SGSessionInfo(responseBody: bytes(body)) == nil)
    }

    @Test(arguments: [
        (#"{"password":"s3cret"}"#, true, false),
        (#"{"password":""}"#, true, false),
        (#"{"password":null}"#, false, false),
        (#"{"name":"bob","admin_channels":["a"]}"#, false, false),
        (#"{"disabled":true}"#, false, true),
        (#"{"disabled":false}"#, false, false),
        (#"{"disabled":"true"}"#, false, false),
        (#"{"disabled":null}"#, false, false),
        (#"{"password":"x","disabled":true,"email":"b@example.com"}"#, true, true),
        ("{}", false, false),
    ])
    func userUpdateDecodes(body: String, changesPassword: Bool, disables: Bool) throws {
        let update = try #require(SGUserUpdate(requestBody: bytes(body)))
        #expect(update == SGUserUpdate(changesPassword: changesPassword, disables: disables))
    }

    @Test(arguments: ["", "null", "[{\"password\":\"x\"}]", "password=x", "{\"password\":"])
    func userUpdateRejectsJunk(body: String) {
        #expect(SGUserUpdate(requestBody: bytes(body)) == nil)
    }

    @Test func bodiesAcceptSlices() throws {
        let framed = bytes(#"xx{"disabled":true}yy"#)
        let update = try #require(SGUserUpdate(requestBody: framed[2..<(framed.count - 2)]))
        #expect(update.disables)
    }
}
