import Testing

@testable import CurfewConfig

@Suite struct KeyErrorTests {
    @Test func unknownKeySuggestsTheNearOne() throws {
        let text = """
            { listeners: [{ address: "127.0.0.1:4984", tls: { certficate: "a.pem", private_key: "a.key" } }],
              upstream: { url: "http://127.0.0.1:4985" } }
            """
        let e = try #require(failure(text))
        #expect(e.kind == .unknownKey)
        #expect(
            e.description == """
                /etc/curfew/proxy.conf: unknown key "listeners[0].tls.certficate" (did you mean "certificate"?)
                """)
    }

    @Test func unknownKeyAtTopLevel() throws {
        let e = try #require(failure(minimal(plus: "wokers: 4,")))
        #expect(e.description == #"/etc/curfew/proxy.conf: unknown key "wokers" (did you mean "workers"?)"#)
    }

    @Test func knownKeyInTheWrongPlacePointsToIt() throws {
        let e = try #require(failure(minimal(plus: "leeway: \"30s\",")))
        #expect(
            e.description
                == #"/etc/curfew/proxy.conf: unknown key "leeway" (did you mean "credentials.jwt.leeway"?)"#)
    }

    @Test func unknownKeyWithNothingNear() throws {
        let e = try #require(failure(minimal(plus: "log: { colour: true },")))
        #expect(e.description == #"/etc/curfew/proxy.conf: unknown key "log.colour""#)
    }

    @Test func missingRequiredKeys() throws {
        let noListeners = try #require(failure("{ upstream: { url: \"http://127.0.0.1:4985\" } }"))
        #expect(noListeners.kind == .missingKey)
        #expect(noListeners.description == #"/etc/curfew/proxy.conf: missing required key "listeners""#)

        let noURL = try #require(failure("{ listeners: [{ address: \"127.0.0.1:1\" }], upstream: { } }"))
        #expect(noURL.description == #"/etc/curfew/proxy.conf: missing required key "upstream.url""#)

        let noAddress = try #require(failure("{ listeners: [{}], upstream: { url: \"http://a:1\" } }"))
        #expect(noAddress.description == #"/etc/curfew/proxy.conf: missing required key "listeners[0].address""#)

        let noKey = try #require(
            failure(
                """
                { listeners: [{ address: "127.0.0.1:1", tls: { certificate: "c.pem" } }], upstream: { url: "http://a:1" } }
                """))
        #expect(
            noKey.description
                == #"/etc/curfew/proxy.conf: missing required key "listeners[0].tls.private_key""#)

        let empty = try #require(failure("{ listeners: [], upstream: { url: \"http://a:1\" } }"))
        #expect(empty.description == #"/etc/curfew/proxy.conf: "listeners": at least one listener is required"#)
    }
}
