import CurfewHTTP
import Testing

/// What a tracker made of a stream: body bytes counted over all chunks, whether it completed, or the error.
private enum Tracked: Equatable {
    case body(bytes: Int, complete: Bool)
    case failure(String)
}

private func track(_ framing: BodyFraming, _ chunks: [[UInt8]]) -> Tracked {
    var tracker = BodyTracker(framing)
    var total = 0
    for chunk in chunks {
        switch chunk.withUnsafeBytes({ tracker.consume($0) }) {
        case .success(let progress):
            #expect(progress.bodyBytes <= chunk.count)
            total += progress.bodyBytes
            if progress.isComplete {
                #expect(tracker.isComplete)
                return .body(bytes: total, complete: true)
            }
            // An incomplete body takes the whole buffer.
            #expect(progress.bodyBytes == chunk.count)
        case .failure(let error):
            #expect(error.status == 400)
            return .failure(error.reason)
        }
    }
    return .body(bytes: total, complete: false)
}

@Suite struct BodyTrackerTests {
    let next = "GET /next HTTP/1.1\r\n"

    @Test func contentLengthStopsAtTheNextMessage() {
        let body = "0123456789"
        let result = dripFeed([UInt8](body + next)) { track(.contentLength(10), $0) }
        #expect(result == .body(bytes: 10, complete: true))
        #expect(dripFeed([UInt8]("01234")) { track(.contentLength(10), $0) } == .body(bytes: 5, complete: false))
    }

    @Test func noBodyAndEmptyBody() {
        #expect(track(.none, [[UInt8](next)]) == .body(bytes: 0, complete: true))
        #expect(track(.contentLength(0), [[UInt8](next)]) == .body(bytes: 0, complete: true))
        #expect(BodyTracker(.none).isComplete)
        #expect(!BodyTracker(.chunked).isComplete)
    }

    @Test func untilCloseTakesEverything() {
        #expect(track(.untilClose, [[UInt8](next), [1, 2, 3]]) == .body(bytes: next.utf8.count + 3, complete: false))
    }

    @Test func largeContentLengthIsSkippedInBulk() {
        let size = 1 << 20
        let bytes = [UInt8](repeating: 0x41, count: size) + [UInt8](next)
        let result = dripFeed(bytes, byteByByteLimit: 0) { track(.contentLength(UInt64(size)), $0) }
        #expect(result == .body(bytes: size, complete: true))
    }

    @Test func chunkedWithExtensionsAndTrailers() {
        let body =
            "5\r\nhello\r\n"
            + "1A;name=value;quoted=\"a b\"\r\n" + String(repeating: "z", count: 26) + "\r\n"
            + "0000000000000003\r\nabc\r\n"
            + "0;last\r\n"
            + "Digest: sha-256=abc\r\nX-Trailer:\r\n\r\n"
        let result = dripFeed([UInt8](body + next)) { track(.chunked, $0) }
        #expect(result == .body(bytes: body.utf8.count, complete: true))
    }

    @Test func chunkedMinimalAndUppercaseHex() {
        let body = "0\r\n\r\n"
        #expect(dripFeed([UInt8](body + next)) { track(.chunked, $0) } == .body(bytes: 5, complete: true))
        let upper = "A\r\n0123456789\r\nf\r\n" + String(repeating: "x", count: 15) + "\r\n0\r\n\r\n"
        #expect(dripFeed([UInt8](upper)) { track(.chunked, $0) } == .body(bytes: upper.utf8.count, complete: true))
    }

    @Test func chunkedIncompleteNeedsMore() {
        let partial = "5\r\nhello\r\n0\r\nX-T: 1\r\n"
        #expect(dripFeed([UInt8](partial)) { track(.chunked, $0) } == .body(bytes: partial.utf8.count, complete: false))
    }

    @Test(arguments: [
        ("\r\n", "bad_chunk_size"),
        (" 5\r\nhello\r\n0\r\n\r\n", "bad_chunk_size"),
        ("5 \r\nhello\r\n0\r\n\r\n", "bad_chunk_size"),
        ("0x5\r\nhello\r\n0\r\n\r\n", "bad_chunk_size"),
        ("-5\r\nhello\r\n0\r\n\r\n", "bad_chunk_size"),
        ("+5\r\nhello\r\n0\r\n\r\n", "bad_chunk_size"),
        ("g\r\n", "bad_chunk_size"),
        ("00000000000000005\r\nhello\r\n0\r\n\r\n", "bad_chunk_size"),
        ("10000000000000000\r\n", "bad_chunk_size"),
        (";ext\r\n", "bad_chunk_size"),
        ("5\nhello\r\n0\r\n\r\n", "bad_chunk_size"),
        ("5\rhello\r\n0\r\n\r\n", "bad_chunk_line_end"),
        ("5;a=\u{1}\r\nhello\r\n0\r\n\r\n", "bad_chunk_extension"),
        ("5;a\nhello\r\n0\r\n\r\n", "bad_chunk_extension"),
        ("5\r\nhelloX\r\n0\r\n\r\n", "bad_chunk_data_end"),
        ("5\r\nhello\rX0\r\n\r\n", "bad_chunk_data_end"),
        ("5\r\nhello\n0\r\n\r\n", "bad_chunk_data_end"),
        ("0\r\n\n", "bad_trailer"),
        ("0\r\n\rX", "bad_trailer"),
        ("0\r\n folded: x\r\n\r\n", "bad_trailer"),
        ("0\r\nX-T : 1\r\n\r\n", "bad_trailer"),
        ("0\r\nX-T: a\u{0}\r\n\r\n", "bad_trailer"),
        ("0\r\nX-T: 1\n\r\n", "bad_trailer"),
    ])
    func chunkedSyntaxErrors(text: String, reason: String) {
        #expect(dripFeed([UInt8](text)) { track(.chunked, $0) } == .failure(reason))
    }

    @Test func chunkLineAndTrailerAreBounded() {
        let ext = "5;" + String(repeating: "e", count: BodyTracker.chunkLineMax)
        #expect(track(.chunked, [[UInt8](ext)]) == .failure("chunk_line_too_long"))
        let okExt = "5;" + String(repeating: "e", count: BodyTracker.chunkLineMax - 2) + "\r\nhello\r\n0\r\n\r\n"
        #expect(track(.chunked, [[UInt8](okExt)]) == .body(bytes: okExt.utf8.count, complete: true))

        let bigTrailer = "0\r\nX: " + String(repeating: "t", count: BodyTracker.trailerSectionMax)
        #expect(track(.chunked, [[UInt8](bigTrailer)]) == .failure("trailer_too_large"))
        // Exactly at the bound: "X: " + value + CRLF == trailerSectionMax.
        let value = String(repeating: "t", count: BodyTracker.trailerSectionMax - 5)
        let atBound = "0\r\nX: " + value + "\r\n\r\n"
        #expect(track(.chunked, [[UInt8](atBound)]) == .body(bytes: atBound.utf8.count, complete: true))
    }

    @Test func staysFailed() {
        var tracker = BodyTracker(.chunked)
        let first = [UInt8]("zz").withUnsafeBytes { tracker.consume($0) }
        #expect(first == .failure(HTTPParseError(status: 400, reason: "bad_chunk_size")))
        let again = [UInt8]("0\r\n\r\n").withUnsafeBytes { tracker.consume($0) }
        #expect(again == first)
        let empty = [UInt8]().withUnsafeBytes { tracker.consume($0) }
        #expect(empty == first)
    }

    @Test func afterCompletionNothingMoreIsBody() {
        var tracker = BodyTracker(.contentLength(2))
        let r1 = [UInt8]("ab").withUnsafeBytes { tracker.consume($0) }
        #expect(r1 == .success(BodyProgress(bodyBytes: 2, isComplete: true)))
        let r2 = [UInt8]("cd").withUnsafeBytes { tracker.consume($0) }
        #expect(r2 == .success(BodyProgress(bodyBytes: 0, isComplete: true)))
    }
}
