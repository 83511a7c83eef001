import Testing

@testable import CurfewPolicy

@Suite struct CredentialExtractorTests {
    let extractor = CredentialExtractor()

    func extract(_ headers: [(String, String)]) -> PresentedCredential {
        extractor.extract(from: headers.map { (name: $0.0, value: $0.1) })
    }

    @Test func bearer() {
        #expect(extract([("Authorization", "Bearer abc.def.ghi")]) == .bearer(token: "abc.def.ghi"))
        #expect(extract([("authorization", "bearer   abc.def.ghi  ")]) == .bearer(token: "abc.def.ghi"))
        #expect(extract([("AUTHORIZATION", "BEARER x")]) == .bearer(token: "x"))
    }

    @Test func basic() {
        let value = "Basic " + TestBase64.std("alice:s3cret:with:colons")
        #expect(extract([("Authorization", value)]) == .basic(user: "alice", password: "s3cret:with:colons"))
        #expect(extract([("authorization", "basic " + TestBase64.std("bob:"))]) == .basic(user: "bob", password: ""))
        #expect(
            extract([("Authorization", "Basic " + TestBase64.std("zoë:pä"))]) == .basic(user: "zoë", password: "pä"))
    }

    @Test func sessionCookie() {
        #expect(
            extract([("Cookie", "theme=dark; SyncGatewaySession=abc123; other=1")])
                == .session(id: "abc123", source: .cookie))
        // Split across several Cookie fields (HTTP/2 style), and quoted.
        #expect(
            extract([("cookie", "a=1"), ("Cookie", #"b=2;SyncGatewaySession="q1""#)])
                == .session(id: "q1", source: .cookie))
        // Only the exact name counts.
        #expect(extract([("Cookie", "XSyncGatewaySession=1; SyncGatewaySessionX=2")]) == .none)
    }

    @Test func firstValidCookieWinsAsInGo() {
        #expect(
            extract([("Cookie", "SyncGatewaySession=first"), ("Cookie", "SyncGatewaySession=second")])
                == .session(id: "first", source: .cookie))
        // An invalid value (a backslash) is skipped, as Go's cookie parser does.
        #expect(
            extract([("Cookie", #"SyncGatewaySession=bad\x; SyncGatewaySession=good"#)])
                == .session(id: "good", source: .cookie))
    }

    @Test func configuredCookieName() {
        let custom = CredentialExtractor(sessionCookieName: "MySession")
        #expect(
            custom.extract(from: [(name: "Cookie", value: "SyncGatewaySession=a; MySession=b")])
                == .session(id: "b", source: .cookie))
    }

    @Test func sessionSubprotocol() {
        #expect(
            extract([("Sec-WebSocket-Protocol", "BLIP_3+CBMobile_4, SyncGatewaySession_tok1 ,BLIP_3+CBMobile_3")])
                == .session(id: "tok1", source: .subprotocol))
        #expect(
            extract([
                ("sec-websocket-protocol", "BLIP_3+CBMobile_4"), ("Sec-WebSocket-Protocol", "SyncGatewaySession_t2"),
            ])
                == .session(id: "t2", source: .subprotocol))
        #expect(extract([("Sec-WebSocket-Protocol", "BLIP_3+CBMobile_4, BLIP_3+CBMobile_3")]) == .none)
    }

    @Test func precedenceFollowsSyncGateway() {
        let bearer = ("Authorization", "Bearer t")
        let basic = ("Authorization", "Basic " + TestBase64.std("u:p"))
        let sub = ("Sec-WebSocket-Protocol", "BLIP_3+CBMobile_4, SyncGatewaySession_s")
        let cookie = ("Cookie", "SyncGatewaySession=c")
        #expect(extract([cookie, sub, bearer]) == .bearer(token: "t"))
        #expect(extract([cookie, sub, basic]) == .basic(user: "u", password: "p"))
        #expect(extract([cookie, sub]) == .session(id: "s", source: .subprotocol))
        #expect(extract([cookie]) == .session(id: "c", source: .cookie))
    }

    @Test func unknownAuthorizationSchemeFallsThroughToTheSession() {
        #expect(
            extract([("Authorization", "Digest username=x"), ("Cookie", "SyncGatewaySession=c")])
                == .session(id: "c", source: .cookie))
        #expect(extract([("Authorization", "Negotiate abc")]) == .none)
    }

    @Test func none() {
        #expect(extract([]) == .none)
        #expect(extract([("Host", "sg"), ("Cookie", "a=b"), ("Cookie", "SyncGatewaySession=")]) == .none)
    }

    static let malformedCases: [([(String, String)], String)] = [
        ([("Authorization", "Bearer a"), ("Authorization", "Bearer b")], "multiple_authorization"),
        (
            [("Authorization", "Bearer a"), ("authorization", "Basic " + TestBase64.std("u:p"))],
            "multiple_authorization"
        ),
        ([("Authorization", "Bearer")], "empty_bearer"),
        ([("Authorization", "Bearer    ")], "empty_bearer"),
        ([("Authorization", "Bearer a b")], "bearer_not_a_token"),
        ([("Authorization", "Basic")], "basic_not_base64"),
        ([("Authorization", "Basic !!!!")], "basic_not_base64"),
        (
            [("Authorization", "Basic " + TestBase64.encode(Array("u:p".utf8), url: true, pad: false) + "_")],
            "basic_not_base64"
        ),
        ([("Authorization", "Basic " + TestBase64.std("nocolon"))], "basic_no_colon"),
        ([("Authorization", "Basic " + TestBase64.std(":password"))], "basic_empty_user"),
        (
            [("Authorization", "Basic " + TestBase64.encode([0xFF, 0x3A, 0x61], url: false, pad: true))],
            "basic_not_utf8"
        ),
        ([("Sec-WebSocket-Protocol", "SyncGatewaySession_a, SyncGatewaySession_b")], "multiple_session_subprotocols"),
        ([("Sec-WebSocket-Protocol", "SyncGatewaySession_")], "empty_session_subprotocol"),
    ]

    @Test(arguments: malformedCases)
    func malformed(headers: [(String, String)], reason: String) {
        #expect(extract(headers) == .malformed(reason: reason))
    }

    @Test func descriptionNeverContainsSecrets() {
        let values: [PresentedCredential] = [
            .bearer(token: "SECRET"), .basic(user: "u", password: "SECRET"), .session(id: "SECRET", source: .cookie),
        ]
        for value in values { #expect(!value.description.contains("SECRET")) }
    }
}

@Suite struct StreamingChangesTests {
    @Test(arguments: ["continuous", "longpoll", "eventsource", "websocket"])
    func streamingFeeds(feed: String) {
        #expect(isStreamingChangesRequest(path: "/db/_changes", feed: feed))
        #expect(isStreamingChangesRequest(path: "/db.scope.coll/_changes", feed: feed))
        #expect(isStreamingChangesRequest(path: "/db.coll/_changes", feed: feed))
    }

    @Test func notStreaming() {
        #expect(!isStreamingChangesRequest(path: "/db/_changes", feed: nil))
        #expect(!isStreamingChangesRequest(path: "/db/_changes", feed: "normal"))
        #expect(!isStreamingChangesRequest(path: "/db/_changes", feed: "Continuous"))
        #expect(!isStreamingChangesRequest(path: "/db/doc", feed: "continuous"))
        #expect(!isStreamingChangesRequest(path: "/_changes", feed: "continuous"))
        #expect(!isStreamingChangesRequest(path: "//_changes", feed: "continuous"))
        #expect(!isStreamingChangesRequest(path: "/db/_changes/", feed: "continuous"))
        #expect(!isStreamingChangesRequest(path: "/db/x/_changes", feed: "continuous"))
        #expect(!isStreamingChangesRequest(path: "/a.b.c.d/_changes", feed: "continuous"))
        #expect(!isStreamingChangesRequest(path: "/db..c/_changes", feed: "continuous"))
        #expect(!isStreamingChangesRequest(path: "db/_changes", feed: "continuous"))
    }
}
