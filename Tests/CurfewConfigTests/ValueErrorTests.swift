import Testing

@testable import CurfewConfig

@Suite struct ValueErrorTests {
    @Test(arguments: [
        (
            "enforcement: { tick: 10 }",
            #""enforcement.tick": expected a duration like "10ms", got 10 (durations are strings with a unit: ms, s, m, h or d)"#
        ),
        (
            "enforcement: { tick: \"10\" }",
            #""enforcement.tick": expected a duration like "10ms", got "10" (a number without a unit (ms, s, m, h or d))"#
        ),
        (
            "enforcement: { tick: \"1.5s\" }",
            #""enforcement.tick": expected a duration like "10ms", got "1.5s" (use a whole number of a smaller unit, e.g. "1500ms" for 1.5s)"#
        ),
        (
            "enforcement: { tick: \"5x\" }",
            #""enforcement.tick": expected a duration like "10ms", got "5x" (unknown unit "x"; use ms, s, m, h or d)"#
        ),
        (
            "enforcement: { tick: \"-1s\" }",
            #""enforcement.tick": expected a duration like "10ms", got "-1s" (durations cannot be negative)"#
        ),
        (
            "enforcement: { tick: \"\" }",
            #""enforcement.tick": expected a duration like "10ms", got "" (an empty string)"#
        ),
        (
            "enforcement: { tick: \"2s\" }",
            #""enforcement.tick": "2s" is out of range 1ms...1s"#
        ),
        ("workers: \"4\"", #""workers": expected an integer in 1...256, got "4""#),
        ("workers: 0", #""workers": expected an integer in 1...256, got 0"#),
        ("workers: 2.5", #""workers": expected an integer in 1...256, got 2.5"#),
        (
            "log: { level: \"verbose\" }",
            #""log.level": expected one of "debug", "info", "warning", "error", got "verbose""#
        ),
        ("log: \"json\"", #""log": expected an object, got "json""#),
        (
            "enforcement: { heartbeat: { refresh_credentials: \"yes\" } }",
            #""enforcement.heartbeat.refresh_credentials": expected true or false, got "yes""#
        ),
        (
            "admin: { address: \"localhost\", token_file: \"t\" }",
            #""admin.address": expected an address like "127.0.0.1:4984" or "[::1]:4984", got "localhost""#
        ),
        (
            "credentials: { session: { cookie_name: \"\" } }",
            #""credentials.session.cookie_name": expected a string, got "" (it must not be empty)"#
        ),
        (
            "enforcement: { close_code: 1005 }",
            #""enforcement.close_code": 1005 may not be sent in a close frame (RFC 6455 7.4); use 1000-1003, 1007-1014 or 3000-4999"#
        ),
        (
            "enforcement: { close_code: 5000 }",
            #""enforcement.close_code": expected an integer in 1000...4999, got 5000"#
        ),
        ("enforcement: { close_code: 999 }", #""enforcement.close_code": expected an integer in 1000...4999, got 999"#),
        (
            "credentials: { jwt: { issuers: [{ issuer: \"i\", audiences: [\"a\"], jwks_file: \"j\", algorithms: [\"none\"] }] } }",
            #""credentials.jwt.issuers[0].algorithms[0]": expected one of "RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512", got "none""#
        ),
        (
            "credentials: { jwt: { issuers: [{ issuer: \"i\", audiences: [\"a\"], jwks_file: \"j\", algorithms: [] }] } }",
            #""credentials.jwt.issuers[0].algorithms": at least one algorithm is required"#
        ),
        (
            "credentials: { jwt: { issuers: [{ issuer: \"i\", audiences: [], jwks_file: \"j\", algorithms: [\"RS256\"] }] } }",
            #""credentials.jwt.issuers[0].audiences": at least one audience is required"#
        ),
        ("limits: { header_fields: null }", #""limits.header_fields": expected an integer in 1...10000, got null"#),
    ])
    func invalidValueNamesKeyAndExpectation(extra: String, message: String) throws {
        let e = try #require(failure(minimal(plus: extra + ",")))
        #expect(e.kind == .invalidValue)
        #expect(e.description == "\(testConfigPath): \(message)")
    }

    @Test(arguments: [
        (
            "listeners: [{ address: \"127.0.0.1:1\", tls: { self_signed: true, client_certificate: \"required\" } }]",
            #""listeners[0].tls": "client_certificate": "required" needs "client_ca""#
        ),
        (
            "listeners: [{ address: \"127.0.0.1:1\", tls: { self_signed: true, certificate: \"c.pem\" } }]",
            #""listeners[0].tls": "self_signed": true cannot be combined with "certificate" or "private_key""#
        ),
        (
            "credentials: { jwt: { issuers: [{ issuer: \"i\", audiences: [\"a\"], jwks_file: \"j\", hmac_secret_file: \"s\", algorithms: [\"HS256\"] }] } }",
            #""credentials.jwt.issuers[0]": set exactly one of "jwks_file" and "hmac_secret_file", not both"#
        ),
        (
            "credentials: { jwt: { issuers: [{ issuer: \"i\", audiences: [\"a\"], algorithms: [\"HS256\"] }] } }",
            #""credentials.jwt.issuers[0]": set exactly one of "jwks_file" and "hmac_secret_file""#
        ),
        (
            "credentials: { jwt: { issuers: [{ issuer: \"i\", audiences: [\"a\"], jwks_file: \"j\", algorithms: [\"RS256\", \"HS256\"] }] } }",
            #""credentials.jwt.issuers[0]": algorithm "HS256" needs "hmac_secret_file", not "jwks_file""#
        ),
        (
            "credentials: { jwt: { issuers: [{ issuer: \"i\", audiences: [\"a\"], hmac_secret_file: \"s\", algorithms: [\"ES256\"] }] } }",
            #""credentials.jwt.issuers[0]": algorithm "ES256" needs "jwks_file", not "hmac_secret_file""#
        ),
        ("gateway_admin: { address: \"127.0.0.1:4986\" }", #""gateway_admin" needs "upstream.admin_url""#),
        ("admin: { address: \"127.0.0.1:4990\" }", #"missing required key "admin.token_file""#),
        (
            "admin: { address: \"127.0.0.1:4984\", token_file: \"t\" }",
            #""admin.address" 127.0.0.1:4984 is also used by "listeners[0].address""#
        ),
        (
            "listeners: [{ address: \"127.0.0.1:1\" }, { address: \"127.0.0.1:1\" }, { address: \"127.0.0.1:0\" }, { address: \"127.0.0.1:0\" }]",
            #""listeners[1].address" 127.0.0.1:1 is also used by "listeners[0].address""#
        ),
        (
            "credentials: { jwt: { issuers: [{ issuer: \"i\", audiences: [\"a\"], jwks_file: \"j\", algorithms: [\"RS256\"] }, { issuer: \"i\", audiences: [\"b\"], jwks_file: \"k\", algorithms: [\"ES256\"] }] } }",
            #""credentials.jwt.issuers[1]": issuer "i" is listed twice"#
        ),
        (
            "limits: { request_line: 40000 }",
            #""limits": "request_line" (40000) cannot exceed "header_block" (32768)"#
        ),
    ])
    func crossFieldRules(extra: String, message: String) throws {
        // `listeners` given in `extra` replaces the minimal one: JSON5 keeps the first duplicate, so put it first.
        let text =
            extra.hasPrefix("listeners")
            ? "{ \(extra), upstream: { url: \"http://127.0.0.1:4985\" } }"
            : minimal(plus: extra + ",")
        let e = try #require(failure(text))
        #expect(e.description == "\(testConfigPath): \(message)")
    }

    @Test func upstreamRules() throws {
        let admin = try #require(
            failure(
                """
                { listeners: [{ address: "127.0.0.1:1" }],
                  upstream: { url: "http://127.0.0.1:4985", admin_username: "u" } }
                """))
        #expect(
            admin.description
                == #"/etc/curfew/proxy.conf: "upstream": "admin_username" and "admin_password_file" go together"#)
        let path = try #require(
            failure(
                """
                { listeners: [{ address: "127.0.0.1:1" }], upstream: { url: "http://127.0.0.1:4985/sg" } }
                """))
        #expect(
            path.description
                == #"/etc/curfew/proxy.conf: "upstream.url": expected a URL like "http://127.0.0.1:4984", got "http://127.0.0.1:4985/sg" (http or https, a host, an optional port, no path)"#
        )
    }

    @Test func warningsAreReturned() throws {
        let text = """
            { listeners: [{ address: "0.0.0.0:8080" }, { address: "[::1]:4443", tls: { self_signed: true } }],
              upstream: { url: "https://sg.internal" },
              admin: { address: "0.0.0.0:4990", token_file: "t" } }
            """
        let loaded = try parse(text)
        #expect(
            loaded.warnings == [
                #"listeners[0] (0.0.0.0:8080): no "tls": plain HTTP, credentials cross the network in clear text"#,
                "listeners[1].tls.self_signed: an in-memory certificate for localhost; for development only",
                "admin.address 0.0.0.0:4990 is not loopback: the admin API is plain HTTP",
            ])
        // An https upstream without "ca" uses the system CAs: no warning for that.
        #expect(loaded.config.upstream.url == UpstreamURL(scheme: .https, host: "sg.internal", port: 443))
        #expect(loaded.config.upstream.ca == nil)
    }

    @Test func listElementsMustBeObjects() throws {
        let e = try #require(failure("{ listeners: [\"0.0.0.0:1\"], upstream: { url: \"http://a\" } }"))
        #expect(e.description == #"/etc/curfew/proxy.conf: "listeners[0]": expected an object, got "0.0.0.0:1""#)
    }

    @Test func secretFileValuesAreNotEchoed() throws {
        let e = try #require(failure(minimal(plus: "admin: { address: \"127.0.0.1:4990\", token_file: 918273645 },")))
        #expect(e.description == #"/etc/curfew/proxy.conf: "admin.token_file": expected a file path, got a number"#)
        #expect(!e.description.contains("918273645"))
    }

    @Test func moreWarnings() throws {
        let text = """
            { listeners: [{ address: "127.0.0.1:1", tls: { certificate: "c", private_key: "k" } }],
              upstream: { url: "http://127.0.0.1:4984", ca: "ca.pem", admin_url: "http://127.0.0.1:4985" },
              gateway_admin: { address: "[::]:4986" } }
            """
        #expect(
            try parse(text).warnings == [
                "upstream.ca is set but neither upstream.url nor upstream.admin_url uses https; it is unused",
                "gateway_admin.address [::]:4986 is not loopback: it exposes Sync Gateway's admin API",
            ])
    }

    @Test func messagesStayOnOneLine() throws {
        let e = try #require(failure(minimal(plus: "log: { level: \"a\\nb\\\"c\" },")))
        #expect(!e.description.contains("\n"))
        #expect(e.description.hasSuffix(#"got "a\nb\"c""#))
    }
}
