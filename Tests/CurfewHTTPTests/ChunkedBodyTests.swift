import CurfewHTTP
import Testing

@Suite struct ChunkedBodyTests {
    private func decode(_ s: String) -> String? {
        ChunkedBody.decode(Array(s.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func chunksExtensionsAndTrailersAreRemoved() {
        #expect(decode("5\r\n{\"use\r\nA;ext=1\r\nr\":\"alice\"\r\n1\r\n}\r\n0\r\n\r\n") == #"{"user":"alice"}"#)
        #expect(decode("0\r\n\r\n") == "")
        #expect(decode("3\r\nabc\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n") == "abc")
        #expect(decode("00003\r\nabc\r\n0\r\n\r\n") == "abc")
        #expect(decode("a\r\n0123456789\r\n0\r\n\r\n") == "0123456789")
    }

    @Test func whatIsNotAWholeChunkedBodyIsNil() {
        for bad in [
            "", "3\r\nabc\r\n", "3\r\nabc\r\n0\r\n", "3\r\nab\r\n0\r\n\r\n", "3\r\nabcd\r\n0\r\n\r\n", "x\r\n\r\n",
            "3\nabc\r\n0\r\n\r\n", "0\r\n\r\nextra", "11111111111111111\r\n", "ffffffffffffffff\r\nab\r\n0\r\n\r\n",
        ] {
            #expect(decode(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test func agreesWithTheTrackerOnWhatItAccepts() {
        let body = Array("4\r\nwiki\r\n5;name=val\r\npedia\r\n0\r\nExpires: never\r\n\r\n".utf8)
        var tracker = BodyTracker(.chunked)
        let progress = body.withUnsafeBytes { tracker.consume($0) }
        #expect(progress == .success(BodyProgress(bodyBytes: body.count, isComplete: true)))
        #expect(ChunkedBody.decode(body).map { String(decoding: $0, as: UTF8.self) } == "wikipedia")
    }
}
