import Testing

@testable import CurfewConfig

@Suite struct AddressTests {
    @Test(arguments: [
        ("0.0.0.0:4984", "0.0.0.0", UInt16(4984)),
        ("127.0.0.1:0", "127.0.0.1", 0),
        ("[::1]:4984", "::1", 4984),
        ("[::]:443", "::", 443),
        ("[2001:db8::1]:65535", "2001:db8::1", 65535),
        ("[::ffff:192.0.2.1]:80", "::ffff:192.0.2.1", 80),
        ("localhost:4990", "localhost", 4990),
    ])
    func socketAddressParses(text: String, host: String, port: UInt16) throws {
        let a = try #require(SocketAddressSpec(parsing: text))
        #expect(a == SocketAddressSpec(host: host, port: port))
        #expect(a.description == text)
    }

    @Test(arguments: [
        "4984", "0.0.0.0", "0.0.0.0:65536", "256.0.0.1:1", "01.0.0.1:1", "::1:4984", "[::1]",
        "[::1]4984", "example.com:80", "0.0.0.0:-1", "0.0.0.0: 1", "[1:2:3:4:5:6:7:8:9]:1",
        "[1::2::3]:1", "",
    ])
    func socketAddressRefuses(text: String) {
        #expect(SocketAddressSpec(parsing: text) == nil)
    }

    @Test func loopback() {
        #expect(SocketAddressSpec(parsing: "127.0.0.1:1")?.isLoopback == true)
        #expect(SocketAddressSpec(parsing: "[::1]:1")?.isLoopback == true)
        #expect(SocketAddressSpec(parsing: "0.0.0.0:1")?.isLoopback == false)
    }

    @Test(arguments: [
        ("http://127.0.0.1:4984", UpstreamURL.Scheme.http, "127.0.0.1", UInt16(4984), "http://127.0.0.1:4984"),
        ("http://sg.internal", .http, "sg.internal", 80, "http://sg.internal:80"),
        ("https://SG.Example.com/", .https, "sg.example.com", 443, "https://sg.example.com:443"),
        ("HTTPS://[::1]:4985", .https, "::1", 4985, "https://[::1]:4985"),
    ])
    func upstreamURLParses(text: String, scheme: UpstreamURL.Scheme, host: String, port: UInt16, description: String)
        throws
    {
        let u = try #require(UpstreamURL(parsing: text))
        #expect(u.scheme == scheme)
        #expect(u.host == host)
        #expect(u.port == port)
        #expect(u.description == description)
    }

    @Test(arguments: [
        "ftp://a", "127.0.0.1:4984", "http://", "http://a:0", "http://a:99999", "http://a/db",
        "http://a?x=1", "http://u:p@a", "http://-a", "http://a b", "http://[::1", "http://a..b",
    ])
    func upstreamURLRefuses(text: String) {
        #expect(UpstreamURL(parsing: text) == nil)
    }

    @Test func hostHeaderLeavesOutTheDefaultPort() {
        #expect(UpstreamURL(scheme: .https, host: "sg").hostHeader == "sg")
        #expect(UpstreamURL(scheme: .http, host: "::1", port: 4984).hostHeader == "[::1]:4984")
    }

    @Test func closeCodesValidToSend() {
        #expect(EnforcementConfig.isValidToSend(closeCode: 1000))
        #expect(EnforcementConfig.isValidToSend(closeCode: 4001))
        #expect(EnforcementConfig.isValidToSend(closeCode: 3000))
        for code in [1004, 1005, 1006, 1015, 1016, 2999, 999, 5000] {
            #expect(!EnforcementConfig.isValidToSend(closeCode: code), "\(code)")
        }
    }

    @Test func editDistanceAndSuggestion() {
        #expect(editDistance("certficate", "certificate") == 1)
        #expect(editDistance("", "abc") == 3)
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(nearest(to: "wokers", among: ["workers", "listeners"]) == "workers")
        #expect(nearest(to: "zzz", among: ["workers", "listeners"]) == nil)
    }
}
