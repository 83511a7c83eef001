import Testing

@testable import CurfewProxy

@Suite struct RevokeRequestTests {
    private func parse(_ json: String) -> RevokeRequest? { RevokeRequest(json: Array(json.utf8)) }

    @Test func exactlyOneKnownKey() {
        guard case .user("alice")? = parse(#"{"user":"alice"}"#) else { Issue.record("user"); return }
        guard case .session("s1")? = parse(#"{"session":"s1"}"#) else { Issue.record("session"); return }
        guard case .jti("j-1")? = parse(#"{"jti":"j-1"}"#) else { Issue.record("jti"); return }
        guard case .connection(42)? = parse(#"{"connection":42}"#) else { Issue.record("connection"); return }
        guard case .connection(7)? = parse(#"{"connection":"7"}"#) else { Issue.record("connection string"); return }
    }

    @Test func badBodiesAreRefused() {
        for body in [
            "", "{}", "[]", #"{"user":"a","jti":"b"}"#, #"{"user":""}"#, #"{"user":3}"#, #"{"connection":-1}"#,
            #"{"connection":"x"}"#, #"{"group":"a"}"#, "not json", #"{"user":null}"#,
            #"{"user":"a","user":"b"}"#, #"{"jti":"j","jti":"j"}"#, #"{"user":"a"} trailing"#,
        ] {
            #expect(parse(body) == nil, "\(body)")
        }
    }

    @Test func sessionIdsAreNeverLoggedRaw() {
        let description = parse(#"{"session":"secret-session-id"}"#)!.logDescription
        #expect(!description.contains("secret-session-id"))
        #expect(description == "session:\(Fingerprint.session("secret-session-id"))")
    }
}

@Suite struct ProxyHelperTests {
    @Test func fingerprintsAreStableShortAndKindSeparated() {
        let a = Fingerprint.of("basic", "alice:pw")
        #expect(a.count == 16)
        #expect(a == Fingerprint.of("basic", "alice:pw"))
        #expect(a != Fingerprint.of("session", "alice:pw"))
        #expect(!a.contains("alice"))
    }

    @Test func percentEncodingKeepsUnreservedOnly() {
        #expect(percentEncodePathSegment("db") == "db")
        #expect(percentEncodePathSegment("a/b c") == "a%2Fb%20c")
        #expect(percentEncodePathSegment("é") == "%C3%A9")
        #expect(percentEncodePathSegment("A-Z_a.z~0") == "A-Z_a.z~0")
    }

    @Test func commonNameFromSubject() {
        #expect(commonName(of: "CN=alice,O=Example") == "alice")
        #expect(commonName(of: "O=Example, CN=bob") == "bob")
        #expect(commonName(of: "O=Example") == "O=Example")
    }

    @Test func histogramBucketsAreCumulative() {
        var h = LatencyHistogram(bounds: [0.01, 0.1])
        h.observe(0.005)
        h.observe(0.05)
        h.observe(1)
        let text = h.render(name: "x")
        #expect(text.contains(#"x_bucket{le="0.01"} 1"#))
        #expect(text.contains(#"x_bucket{le="0.1"} 2"#))
        #expect(text.contains(#"x_bucket{le="+Inf"} 3"#))
        #expect(text.contains("x_count 3"))
    }

    @Test func metricsRenderTheContractNames() {
        let metrics = Metrics()
        metrics.countCut(reason: "revoked", latenessSeconds: 0.002)
        metrics.countReject(reason: "expired")
        let text = metrics.render(timerWheelEntries: 5, sessionTableEntries: 3)
        for name in [
            "curfew_connections_open", #"curfew_cuts_total{reason="revoked"} 1"#, #"curfew_rejects_total{reason="expired"} 1"#,
            "curfew_heartbeats_total", "curfew_timer_wheel_entries 5", "curfew_session_table_entries 3", "curfew_cut_lateness_seconds_bucket",
        ] {
            #expect(text.contains(name), "\(name)")
        }
    }
}
