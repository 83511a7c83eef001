import CurfewHTTP
import Testing

/// Drives head parser, framing and body tracker the way the proxy does on a keep-alive connection: each message's
/// bytes end exactly where the next one's begin, at every chunking of the stream.
private func messages(_ chunks: [[UInt8]]) -> [String] {
    var parser = HTTPHeadParser(kind: .request)
    var body: BodyTracker?
    var bodyBytes = 0
    var log: [String] = []
    for chunk in chunks {
        var rest = chunk[...]
        while !rest.isEmpty {
            if var tracker = body {
                let result = rest.withUnsafeBytes { tracker.consume($0) }
                body = tracker
                guard case .success(let progress) = result else { return log + ["body error"] }
                bodyBytes += progress.bodyBytes
                rest = rest.dropFirst(progress.bodyBytes)
                if progress.isComplete {
                    log.append("body \(bodyBytes)")
                    body = nil
                }
                continue
            }
            switch rest.withUnsafeBytes({ parser.parse($0) }) {
            case .needMore:
                rest = rest.dropFirst(rest.count)
            case .head(let head, let consumed):
                rest = rest.dropFirst(consumed)
                log.append("\(head.method) \(head.target)")
                guard case .success(let framing) = requestBodyFraming(head) else { return log + ["framing error"] }
                if framing != .none {
                    body = BodyTracker(framing)
                    bodyBytes = 0
                    // A zero-length body is complete before any byte arrives.
                    if body!.isComplete {
                        log.append("body 0")
                        body = nil
                    }
                }
            case .failure(let error):
                return log + ["error \(error.reason)"]
            }
        }
    }
    return log
}

@Suite struct PipelineTests {
    @Test func pipelinedRequestsSplitExactly() {
        let stream =
            "POST /db/_bulk_docs HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n{\"docs\":[]}"
            + "PUT /db/doc HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\n{}\n\r\n0\r\nX-T: 1\r\n\r\n"
            + "\r\nGET /db/ HTTP/1.1\r\nHost: a\r\n\r\n"
            + "DELETE /db/doc?rev=1-a HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
            + "GET /db/_changes HTTP/1.1\r\nHost: a\r\n"
        let log = dripFeed([UInt8](stream)) { messages($0) }
        #expect(
            log == [
                "POST /db/_bulk_docs", "body 11", "PUT /db/doc", "body 25", "GET /db/", "DELETE /db/doc?rev=1-a",
                "body 0",
            ])
    }

    @Test func smugglingAttemptStopsTheConnection() {
        let stream =
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            + "GET /admin HTTP/1.1\r\nHost: a\r\n\r\n"
        let log = dripFeed([UInt8](stream)) { messages($0) }
        #expect(log == ["POST /", "framing error"])
    }
}
