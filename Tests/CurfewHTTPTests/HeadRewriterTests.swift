import CurfewHTTP
import Testing

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite struct HeadRewriterTests {
    let forwarding = ForwardingInfo(clientAddress: "203.0.113.7", isTLS: true)

    @Test func requestDropsHopByHopAndNominatedFields() throws {
        let head = try parseHead(
            "PUT /db/doc?rev=1-a HTTP/1.0\r\nHost: sg.example:4984\r\nConnection: keep-alive, X-Secret\r\n"
                + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X\r\n"
                + "Upgrade: h2c\r\nProxy-Authorization: Basic eDp5\r\nX-Secret: drop me\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\nAuthorization: Bearer abc.def.ghi\r\n\r\n")
        let out = text(HeadRewriter.upstreamRequest(head, forwarding: nil))
        #expect(
            out
                == "PUT /db/doc?rev=1-a HTTP/1.1\r\nHost: sg.example:4984\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nAuthorization: Bearer abc.def.ghi\r\n\r\n")
    }

    @Test func framingFieldsCannotBeNominatedAway() throws {
        let head = try parseHead(
            "POST /db/ HTTP/1.1\r\nHost: a\r\nConnection: Content-Length, Transfer-Encoding, Host\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n")
        let out = text(HeadRewriter.upstreamRequest(head, forwarding: nil))
        #expect(out == "POST /db/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    @Test func clientForwardingFieldsAreReplaced() throws {
        let head = try parseHead(
            "GET /db/ HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1\r\nHost: sg.example:443\r\nForwarded: for=1.2.3.4\r\n"
                + "x-forwarded-proto: http\r\nX-Forwarded-Host: evil\r\nAccept: */*\r\n\r\n")
        let out = text(HeadRewriter.upstreamRequest(head, forwarding: forwarding))
        #expect(
            out
                == "GET /db/ HTTP/1.1\r\nHost: sg.example:443\r\nAccept: */*\r\nX-Forwarded-For: 203.0.113.7\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: sg.example:443\r\n\r\n")
        let plain = text(
            HeadRewriter.upstreamRequest(head, forwarding: ForwardingInfo(clientAddress: "::1", isTLS: false)))
        #expect(plain.contains("X-Forwarded-For: ::1\r\nX-Forwarded-Proto: http\r\n"))
        // Without forwarding info the client's fields pass untouched (admin pass-through).
        let passThrough = text(HeadRewriter.upstreamRequest(head, forwarding: nil))
        #expect(passThrough.contains("X-Forwarded-For: 10.0.0.1\r\n"))
        #expect(passThrough.contains("Forwarded: for=1.2.3.4\r\n"))
        #expect(!passThrough.contains("203.0.113.7"))
    }

    @Test func forwardingCannotBeStrippedViaConnection() throws {
        let head = try parseHead(
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Forwarded-For, X-Forwarded-Proto\r\n\r\n")
        let out = text(HeadRewriter.upstreamRequest(head, forwarding: forwarding))
        #expect(out.hasSuffix("X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: a\r\n\r\n"))
    }

    @Test func websocketUpgradeKeepsItsFields() throws {
        let raw =
            "GET /db/_blipsync?client=cbl HTTP/1.1\r\nHost: sg:4984\r\nConnection: Upgrade, Authorization\r\n"
            + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: BLIP_3+CBMobile_3\r\nAuthorization: Bearer eyJ.eyJ.sig\r\n"
            + "Cookie: SyncGatewaySession=c0ffee\r\nKeep-Alive: 5\r\n\r\n"
        let head = try parseHead(raw)
        #expect(isWebSocketUpgrade(head))
        let out = text(HeadRewriter.upstreamRequest(head, forwarding: forwarding))
        #expect(
            out
                == "GET /db/_blipsync?client=cbl HTTP/1.1\r\nHost: sg:4984\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: BLIP_3+CBMobile_3\r\nAuthorization: Bearer eyJ.eyJ.sig\r\n"
                + "Cookie: SyncGatewaySession=c0ffee\r\nConnection: Upgrade\r\n"
                + "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: sg:4984\r\n\r\n")
    }

    @Test func upgradeDetection() throws {
        let ok = "GET /db/_blipsync HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, UPGRADE\r\nUpgrade: WebSocket\r\n\r\n"
        #expect(isWebSocketUpgrade(try parseHead(ok)))
        let post = "POST /db/_blipsync HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
        #expect(!isWebSocketUpgrade(try parseHead(post)))
        let noConnection = "GET /db/_blipsync HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n"
        #expect(!isWebSocketUpgrade(try parseHead(noConnection)))
        let h2c = "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n"
        #expect(!isWebSocketUpgrade(try parseHead(h2c)))
        let http10 = "GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
        #expect(!isWebSocketUpgrade(try parseHead(http10)))
        let nonUpgradeRewrite = text(HeadRewriter.upstreamRequest(try parseHead(h2c), forwarding: nil))
        #expect(nonUpgradeRewrite == "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    }

    @Test func responseToClient() throws {
        let head = try parseHead(
            "HTTP/1.0 200 OK\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\nX-Hop: 1\r\n"
                + "Content-Length: 2\r\nSet-Cookie: SyncGatewaySession=abc; Path=/db\r\nProxy-Authenticate: Basic\r\n\r\n",
            kind: .response)
        let keep = text(HeadRewriter.clientResponse(head, closeAfter: false))
        #expect(
            keep == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nSet-Cookie: SyncGatewaySession=abc; Path=/db\r\n\r\n")
        let close = text(HeadRewriter.clientResponse(head, closeAfter: true))
        #expect(close.hasSuffix("Path=/db\r\nConnection: close\r\n\r\n"))
        let noReason = try parseHead("HTTP/1.1 204\r\nTransfer-Encoding: chunked\r\n\r\n", kind: .response)
        #expect(text(HeadRewriter.clientResponse(noReason, closeAfter: false)) == "HTTP/1.1 204 \r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    @Test func responseWithBothFramingsLosesContentLength() throws {
        let head = try parseHead(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: content-length\r\n\r\n",
            kind: .response)
        #expect(responseBodyFraming(head, requestMethod: "GET") == .chunked)
        let out = text(HeadRewriter.clientResponse(head, closeAfter: true))
        #expect(out == "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        let onlyLength = try parseHead("HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\n", kind: .response)
        #expect(text(HeadRewriter.clientResponse(onlyLength, closeAfter: false)) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func rewrittenHeadsParseBack() throws {
        let head = try parseHead("GET /x HTTP/1.1\r\nHost: a\r\nX-A:  v \r\n\r\n")
        let bytes = HeadRewriter.upstreamRequest(head, forwarding: forwarding)
        var parser = HTTPHeadParser(kind: .request)
        guard case .head(let again, let used) = bytes.withUnsafeBytes({ parser.parse($0) }) else {
            Issue.record("rewritten head does not parse")
            return
        }
        #expect(used == bytes.count)
        #expect(again.value(of: "x-a") == "v")
        #expect(again.value(of: "x-forwarded-for") == "203.0.113.7")
    }
}
