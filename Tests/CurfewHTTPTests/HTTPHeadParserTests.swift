import CurfewHTTP
import Testing

@Suite struct HTTPHeadParserTests {
    // MARK: Accepted heads

    @Test func parsesRequestAtEveryChunking() throws {
        let text = "GET /db/_changes?since=0 HTTP/1.1\r\nHost: sg.example:4984\r\nAuthorization: Basic dTpw\r\n"
            + "X-Empty:\r\nX-Spaces: \t padded value \t\r\n\r\n"
        let result = dripFeed([UInt8](text)) { feedHead($0) }
        guard case .head(let head, let consumed) = result else {
            Issue.record("no head: \(result)")
            return
        }
        #expect(consumed == text.utf8.count)
        #expect(head.raw == [UInt8](text))
        #expect(head.method == "GET")
        #expect(head.target == "/db/_changes?since=0")
        #expect(head.versionMinor == 1)
        #expect(
            head.fields == [
                "Host=sg.example:4984", "Authorization=Basic dTpw", "X-Empty=", "X-Spaces=padded value",
            ])
    }

    @Test func parsesResponseAtEveryChunking() {
        let text = "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\n"
        let result = dripFeed([UInt8](text + "abc")) { feedHead($0, kind: .response) }
        guard case .head(let head, let consumed) = result else {
            Issue.record("no head: \(result)")
            return
        }
        #expect(consumed == text.utf8.count)
        #expect(head.status == 404)
        #expect(head.reason == "Not Found")
        #expect(head.versionMinor == 1)
        #expect(head.fields == ["Content-Length=3"])
    }

    @Test func acceptsStatusLineWithoutReason() throws {
        let h1 = try parseHead("HTTP/1.1 204 \r\n\r\n", kind: .response)
        #expect(h1.status == 204 && h1.reason == "")
        let h2 = try parseHead("HTTP/1.0 200\r\n\r\n", kind: .response)
        #expect(h2.status == 200 && h2.versionMinor == 0)
    }

    @Test func skipsLeadingEmptyLinesButDoesNotKeepThem() {
        let text = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let result = dripFeed([UInt8](text)) { feedHead($0) }
        guard case .head(let head, let consumed) = result else {
            Issue.record("no head: \(result)")
            return
        }
        #expect(consumed == text.utf8.count)
        #expect(head.raw == [UInt8]("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
    }

    @Test func http10WithoutHostIsAccepted() throws {
        let head = try parseHead("GET / HTTP/1.0\r\n\r\n")
        #expect(head.versionMinor == 0)
        #expect(head.fieldCount == 0)
    }

    @Test func leavesPipelinedBytesUnconsumed() {
        let first = "POST /db/_bulk_docs HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n"
        let rest = "{}GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let result = dripFeed([UInt8](first + rest)) { feedHead($0) }
        guard case .head(_, let consumed) = result else {
            Issue.record("no head: \(result)")
            return
        }
        #expect(consumed == first.utf8.count)
    }

    @Test func resetsForKeepAliveAndAfterFailure() {
        var parser = HTTPHeadParser(kind: .request)
        let bytes = [UInt8]("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\n\r\n")
        bytes.withUnsafeBytes { buf in
            guard case .head(let a, let used) = parser.parse(buf) else {
                Issue.record("first head missing")
                return
            }
            #expect(a.target == "/a")
            // Ready for the next head straight away; reset() is harmless.
            parser.reset()
            guard case .head(let b, let used2) = parser.parse(UnsafeRawBufferPointer(rebasing: buf[used...])) else {
                Issue.record("second head missing")
                return
            }
            #expect(b.target == "/b")
            #expect(used + used2 == buf.count)
        }
        let bad = [UInt8]("GET / HTTP/1.1\nHost: x\r\n\r\n")
        let first = bad.withUnsafeBytes { parser.parse($0) }
        #expect(first == .failure(HTTPParseError(status: 400, reason: "bare_lf")))
        // Stays failed.
        let again = [UInt8]("GET / HTTP/1.1\r\nHost: x\r\n\r\n").withUnsafeBytes { parser.parse($0) }
        #expect(again == first)
        parser.reset()
        guard case .head = [UInt8]("GET / HTTP/1.1\r\nHost: x\r\n\r\n").withUnsafeBytes({ parser.parse($0) }) else {
            Issue.record("reset did not clear the failure")
            return
        }
    }

    // MARK: Limits

    /// A request line of exactly `length` bytes (CRLF excluded).
    private func requestLine(length: Int) -> String {
        let fixed = "GET /".utf8.count + " HTTP/1.1".utf8.count
        return "GET /" + String(repeating: "a", count: length - fixed) + " HTTP/1.1"
    }

    @Test func requestLineAtLimitIsAccepted() {
        let text = requestLine(length: 8192) + "\r\nHost: a\r\n\r\n"
        guard case .head(let head, _) = feedHead([[UInt8](text)]) else {
            Issue.record("8192-byte request line refused")
            return
        }
        #expect(head.target.utf8.count == 8192 - "GET  HTTP/1.1".utf8.count)
    }

    @Test func requestLineOverLimitFailsBeforeTheLineEnds() {
        // 8193 bytes of request line, nothing more: the failure cannot wait for the CRLF.
        let tooLong = [UInt8](requestLine(length: 8193))
        #expect(tooLong.count == 8193)
        let result = dripFeed(tooLong) { feedHead($0) }
        #expect(result == .failure(status: 414, reason: "request_line_too_long"))
        // And a prefix of it is merely incomplete.
        #expect(feedHead([Array(tooLong.dropLast())]) == .needMore)
    }

    @Test func requestLineLimitCountsMethodAndVersionToo() {
        let method = [UInt8](String(repeating: "G", count: 8193))
        #expect(feedHead([method]) == .failure(status: 414, reason: "request_line_too_long"))
        let smallLimits = HTTPLimits(requestLineMax: 14)
        #expect(feedHead([[UInt8]("GET / HTTP/1.1\r\nHost: a\r\n\r\n")], limits: smallLimits).isHead)
        #expect(
            feedHead([[UInt8]("GET /a HTTP/1.1")], limits: smallLimits)
                == .failure(status: 414, reason: "request_line_too_long"))
    }

    /// Field lines totalling exactly `size` bytes including their CRLFs.
    private func headerBlock(size: Int) -> String {
        var block = "Host: a\r\n"
        let filler = "X-Fill: "
        let remaining = size - block.utf8.count - filler.utf8.count - 2
        block += filler + String(repeating: "v", count: remaining) + "\r\n"
        return block
    }

    @Test func headerBlockAtLimitIsAccepted() {
        let block = headerBlock(size: 32768)
        #expect(block.utf8.count == 32768)
        let result = feedHead([[UInt8]("GET / HTTP/1.1\r\n" + block + "\r\n")])
        #expect(result.isHead)
    }

    @Test func headerBlockOverLimitFailsBeforeTheHeadEnds() {
        let prefix = [UInt8]("GET / HTTP/1.1\r\n" + headerBlock(size: 32769))
        // Feed only up to and including the 32769th byte of the block (the last CRLF's LF is byte 32769).
        let result = dripFeed(prefix, fullSplitLimit: 256) { feedHead($0) }
        #expect(result == .failure(status: 431, reason: "header_block_too_large"))
        #expect(feedHead([Array(prefix.dropLast())]) == .needMore)
        // A long value with no line end trips at its first byte past the limit.
        let unterminated = [UInt8]("GET / HTTP/1.1\r\nX: " + String(repeating: "v", count: 32766))
        #expect(feedHead([unterminated]) == .failure(status: 431, reason: "header_block_too_large"))
        #expect(feedHead([Array(unterminated.dropLast())]) == .needMore)
    }

    @Test func fieldCountLimit() {
        let hundred = (0..<99).map { "X-\($0): v\r\n" }.joined()
        let atLimit = "GET / HTTP/1.1\r\nHost: a\r\n" + hundred + "\r\n"
        guard case .head(let head, _) = feedHead([[UInt8](atLimit)]) else {
            Issue.record("100 fields refused")
            return
        }
        #expect(head.fields.count == 100)
        // The 101st field fails at its first byte.
        let over = [UInt8]("GET / HTTP/1.1\r\nHost: a\r\n" + hundred + "X")
        let result = dripFeed(over) { feedHead($0) }
        #expect(result == .failure(status: 431, reason: "too_many_fields"))
    }

    // MARK: Strictness

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n", "obs_fold"),
        ("GET / HTTP/1.1\r\nHost: a\r\n\tX-A: 1\r\n\r\n", "obs_fold"),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n", "space_before_colon"),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 5\r\n\r\n", "space_before_colon"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX(A): 1\r\n\r\n", "bad_header_name"),
        ("GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n", "bad_header_name"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A\u{7F}: 1\r\n\r\n", "bad_header_name"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{0}b\r\n\r\n", "bad_header_value"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{1B}b\r\n\r\n", "bad_header_value"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{7F}\r\n\r\n", "bad_header_value"),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n", "bare_cr"),
        ("GET / HTTP/1.1\rHost: a\r\n\r\n", "bare_cr"),
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", "bare_cr"),
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", "bare_lf"),
        ("GET / HTTP/1.1\r\nHost: a\n\r\n", "bare_lf"),
        ("GET / HTTP/1.1\r\nHost: a\r\n\n", "bare_lf"),
        ("GET / HTTP/1.1\r\nHost\n\r\n", "bare_lf"),
        ("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "bare_lf"),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", "bad_method"),
        (" GET / HTTP/1.1\r\nHost: a\r\n\r\n", "bad_method"),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", "bad_target"),
        ("GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n", "bad_target"),
        ("GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", "bad_target"),
        ("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", "bad_target"),
        ("GET /\r\n\r\n", "bad_request_line"),
        ("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", "bad_version"),
        ("GET / http/1.1\r\nHost: a\r\n\r\n", "bad_version"),
        ("GET / HTTP/1\r\nHost: a\r\n\r\n", "bad_version"),
        ("GET / HTTP/1.10\r\nHost: a\r\n\r\n", "bad_version"),
        ("GET / HTTP/1.1\r\n\r\n", "missing_host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", "duplicate_host"),
        ("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", "duplicate_host"),
    ])
    func refusesWith400(text: String, reason: String) {
        let result = dripFeed([UInt8](text)) { feedHead($0) }
        #expect(result == .failure(status: 400, reason: reason))
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"])
    func refusesOtherVersionsWith505(version: String) {
        let result = feedHead([[UInt8]("GET / \(version)\r\nHost: a\r\n\r\n")])
        #expect(result == .failure(status: 505, reason: "unsupported_version"))
        let response = feedHead([[UInt8]("\(version) 200 OK\r\n\r\n")], kind: .response)
        #expect(response == .failure(status: 505, reason: "unsupported_version"))
    }

    @Test(arguments: [
        ("HTTP/1.1 20 OK\r\n\r\n", "bad_status_line"),
        ("HTTP/1.1 2000 OK\r\n\r\n", "bad_status_line"),
        ("HTTP/1.1 099 OK\r\n\r\n", "bad_status_line"),
        ("HTTP/1.1 abc OK\r\n\r\n", "bad_status_line"),
        ("HTTP/1.1 200 O\u{1}K\r\n\r\n", "bad_reason_phrase"),
        ("HTTP/1.1 200 OK\nX: 1\r\n\r\n", "bare_lf"),
        ("HTTP/1.1 200 OK\r\nX : 1\r\n\r\n", "space_before_colon"),
        ("HTTP/1.1 200 OK\r\nX: 1\r\n  more\r\n\r\n", "obs_fold"),
        ("HTTX/1.1 200 OK\r\n\r\n", "bad_version"),
        ("\r\nHTTP/1.1 200 OK\r\n\r\n", "bad_version"),
    ])
    func refusesBadResponses(text: String, reason: String) {
        let result = dripFeed([UInt8](text)) { feedHead($0, kind: .response) }
        #expect(result == .failure(status: 400, reason: reason))
    }

    @Test func responsesNeedNoHost() {
        #expect(feedHead([[UInt8]("HTTP/1.1 200 OK\r\n\r\n")], kind: .response).isHead)
    }

    @Test func acceptsObsTextInValuesAndTarget() throws {
        let head = try parseHead("GET /caf\u{E9} HTTP/1.1\r\nHost: a\r\nX-Name: Jos\u{E9}\r\n\r\n")
        #expect(head.value(of: "x-name") == "Jos\u{E9}")
        #expect(head.target == "/caf\u{E9}")
    }
}

extension HeadFeed {
    var isHead: Bool {
        if case .head = self { return true }
        return false
    }
}
