import CurfewHTTP
import Testing

@Suite struct BodyFramingTests {
    private func request(_ fields: String, version: String = "HTTP/1.1") throws -> HTTPHead {
        try parseHead("POST /db/ \(version)\r\nHost: a\r\n\(fields)\r\n")
    }

    private func response(_ status: String, _ fields: String) throws -> HTTPHead {
        try parseHead("HTTP/1.1 \(status)\r\n\(fields)\r\n", kind: .response)
    }

    @Test func requestFramings() throws {
        #expect(requestBodyFraming(try request("")) == .success(.none))
        #expect(requestBodyFraming(try request("Content-Length: 42\r\n")) == .success(.contentLength(42)))
        #expect(requestBodyFraming(try request("Content-Length: 0\r\n")) == .success(.contentLength(0)))
        #expect(requestBodyFraming(try request("Transfer-Encoding: chunked\r\n")) == .success(.chunked))
        #expect(requestBodyFraming(try request("Transfer-Encoding: CHUNKED\r\n")) == .success(.chunked))
        // Identical duplicates mean one value.
        #expect(requestBodyFraming(try request("Content-Length: 7\r\nContent-Length: 7\r\n")) == .success(.contentLength(7)))
        #expect(requestBodyFraming(try request("Content-Length: 7, 7\r\n")) == .success(.contentLength(7)))
        #expect(
            requestBodyFraming(try request("Content-Length: 18446744073709551615\r\n"))
                == .success(.contentLength(UInt64.max)))
        #expect(requestBodyFraming(try request("Content-Length: 5\r\n", version: "HTTP/1.0")) == .success(.contentLength(5)))
    }

    @Test(arguments: [
        ("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "cl_and_te"),
        ("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "cl_and_te"),
        ("Content-Length: 5\r\nContent-Length: 6\r\n", "conflicting_content_length"),
        ("Content-Length: 5, 6\r\n", "conflicting_content_length"),
        ("Content-Length: +5\r\n", "bad_content_length"),
        ("Content-Length: -1\r\n", "bad_content_length"),
        ("Content-Length: 0x10\r\n", "bad_content_length"),
        ("Content-Length: 5 5\r\n", "bad_content_length"),
        ("Content-Length:\r\n", "bad_content_length"),
        ("Content-Length: 18446744073709551616\r\n", "bad_content_length"),
        ("Content-Length: 99999999999999999999999\r\n", "bad_content_length"),
        ("Transfer-Encoding: gzip, chunked\r\n", "bad_transfer_encoding"),
        ("Transfer-Encoding: chunked, chunked\r\n", "bad_transfer_encoding"),
        ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "bad_transfer_encoding"),
        ("Transfer-Encoding: identity\r\n", "bad_transfer_encoding"),
        ("Transfer-Encoding: chunked;q=1\r\n", "bad_transfer_encoding"),
        ("Transfer-Encoding: xchunked\r\n", "bad_transfer_encoding"),
        ("Transfer-Encoding:\r\n", "bad_transfer_encoding"),
    ])
    func smugglingShapesAreRefused(fields: String, reason: String) throws {
        let result = requestBodyFraming(try request(fields))
        #expect(result == .failure(HTTPParseError(status: 400, reason: reason)))
    }

    @Test func transferEncodingInHTTP10IsRefused() throws {
        let head = try request("Transfer-Encoding: chunked\r\n", version: "HTTP/1.0")
        #expect(requestBodyFraming(head) == .failure(HTTPParseError(status: 400, reason: "te_in_http10")))
    }

    @Test func responseFramings() throws {
        #expect(responseBodyFraming(try response("200 OK", "Content-Length: 10\r\n"), requestMethod: "HEAD") == .none)
        #expect(responseBodyFraming(try response("100 Continue", ""), requestMethod: "POST") == .none)
        #expect(responseBodyFraming(try response("204 No Content", "Content-Length: 4\r\n"), requestMethod: "GET") == .none)
        #expect(responseBodyFraming(try response("304 Not Modified", "Content-Length: 4\r\n"), requestMethod: "GET") == .none)
        #expect(
            responseBodyFraming(try response("200 OK", "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n"),
                requestMethod: "GET") == .chunked)
        #expect(responseBodyFraming(try response("200 OK", "Transfer-Encoding: gzip, chunked\r\n"), requestMethod: "GET") == .chunked)
        #expect(responseBodyFraming(try response("200 OK", "Transfer-Encoding: gzip\r\n"), requestMethod: "GET") == .untilClose)
        #expect(responseBodyFraming(try response("200 OK", "Content-Length: 4\r\n"), requestMethod: "GET") == .contentLength(4))
        #expect(responseBodyFraming(try response("200 OK", ""), requestMethod: "GET") == .untilClose)
        let bad = try response("200 OK", "Content-Length: 4\r\nContent-Length: 5\r\n")
        #expect(responseBodyFraming(bad, requestMethod: "GET") == .untilClose)
        #expect(
            validatedResponseBodyFraming(bad, requestMethod: "GET")
                == .failure(HTTPParseError(status: 502, reason: "conflicting_content_length")))
    }
}
