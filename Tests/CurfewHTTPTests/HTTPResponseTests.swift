import CurfewHTTP
import Testing

@Suite struct HTTPResponseTests {
    @Test func simpleJSONResponse() {
        let body = #"{"error":"Unauthorized","reason":"token expired"}"#
        let bytes = HTTPResponse.simple(
            status: 401, reason: "Unauthorized", headers: [("WWW-Authenticate", "Bearer")], jsonBody: body)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(
            text
                == "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
    }

    @Test func closeAndParseBack() {
        let bytes = HTTPResponse.simple(status: 503, reason: "Service Unavailable", jsonBody: "{}", close: true)
        var parser = HTTPHeadParser(kind: .response)
        guard case .head(let head, let used) = bytes.withUnsafeBytes({ parser.parse($0) }) else {
            Issue.record("own response does not parse")
            return
        }
        #expect(head.status == 503)
        #expect(head.value(of: "connection") == "close")
        #expect(validatedResponseBodyFraming(head, requestMethod: "GET") == .success(.contentLength(2)))
        #expect(Array(bytes[used...]) == Array("{}".utf8))
    }

    @Test func headerInjectionIsDefused() {
        let bytes = HTTPResponse.simple(
            status: 302, reason: "Found\r\nX-Evil: 1", headers: [("Location", "/a\r\nSet-Cookie: x=1"), ("Bad Name", "v")],
            jsonBody: "{}")
        var parser = HTTPHeadParser(kind: .response)
        guard case .head(let head, _) = bytes.withUnsafeBytes({ parser.parse($0) }) else {
            Issue.record("response does not parse")
            return
        }
        #expect(head.value(of: "x-evil") == nil)
        #expect(head.value(of: "set-cookie") == nil)
        #expect(head.value(of: "location") == "/aSet-Cookie: x=1")
        #expect(head.value(of: "BadName") == "v")
    }
}
