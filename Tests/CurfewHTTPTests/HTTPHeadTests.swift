import CurfewHTTP
import Testing

@Suite struct HTTPHeadTests {
    let head: HTTPHead

    init() throws {
        head = try parseHead(
            "GET /db/ HTTP/1.1\r\nHost: sg:4984\r\nConnection: keep-alive, Upgrade\r\nupgrade: WebSocket\r\n"
                + "Cookie: a=1\r\nCOOKIE: b=2\r\nConnection: , X-Custom ,\r\nX-Custom: yes\r\n\r\n")
    }

    @Test func lookupIsCaseInsensitiveAndFirstWins() {
        #expect(head.value(of: "cookie") == "a=1")
        #expect(head.value(of: "HOST") == "sg:4984")
        #expect(head.value(of: "absent") == nil)
        #expect(head.values(of: "Cookie") == ["a=1", "b=2"])
        #expect(head.values(of: "absent") == [])
        #expect(head.contains("x-custom"))
        #expect(!head.contains("x-custo"))
    }

    @Test func tokenListsAcrossFieldsAndCase() {
        #expect(head.hasToken("upgrade", in: "connection"))
        #expect(head.hasToken("KEEP-ALIVE", in: "Connection"))
        #expect(head.hasToken("x-custom", in: "connection"))
        #expect(head.hasToken("websocket", in: "upgrade"))
        #expect(!head.hasToken("keep", in: "connection"))
        #expect(!head.hasToken("", in: "connection"))
        #expect(!head.hasToken("upgrade", in: "host"))
    }

    @Test func fieldsInOrderAsReceived() {
        #expect(head.fieldCount == 7)
        #expect(head.fields.map(\.name) == ["Host", "Connection", "upgrade", "Cookie", "COOKIE", "Connection", "X-Custom"])
        #expect(head.fieldName(at: 2) == "upgrade")
        #expect(head.fieldValue(at: 5) == ", X-Custom ,")
    }

    @Test func startLine() {
        #expect(head.kind == .request)
        #expect(head.method == "GET")
        #expect(head.methodIs("GET"))
        #expect(!head.methodIs("get"))
        #expect(head.target == "/db/")
        #expect(head.status == 0)
        #expect(head.reason == "")
        #expect(head.parsedTarget.pathSegments == ["db", ""])
    }
}
