import CurfewHTTP

/// Reads one HTTP/1.1 response after another from a keep-alive connection: the head in place (`HeadView`), the
/// body followed by CurfewHTTP's `BodyTracker` (Content-Length or chunked; the proxies may re-frame a body), without
/// copying it unless `captureBody` is set (the admin call's answer).
struct ResponseReader {
    enum Progress {
        case needMore
        /// A final response ended; `pos` points just past it.
        case complete
        case failed(String)
    }

    private var head = HeadAccumulator()
    private var tracker: BodyTracker?
    private(set) var status = 0
    /// The server said `Connection: close` (or spoke HTTP/1.0 without keep-alive).
    private(set) var closeAfter = false
    var captureBody = false
    /// The body as framed on the wire (chunk lines included); see `decodedBody`.
    private(set) var body: [UInt8] = []
    private var chunked = false
    private var untilClose = false

    private static let headLimit = 64 << 10

    /// Ready for the next response.
    mutating func reset() {
        head.reset()
        tracker = nil
        status = 0
        closeAfter = false
        body = []
        chunked = false
        untilClose = false
    }

    /// The captured body with any chunked framing removed.
    var decodedBody: [UInt8] { chunked ? (ChunkedBody.decode(body) ?? body) : body }

    /// True while nothing of the current response has arrived (a close then is not a truncated response).
    var isIdle: Bool { tracker == nil && head.isEmpty }

    mutating func feed(_ data: UnsafeRawBufferPointer, _ pos: inout Int) -> Progress {
        while pos < data.count || tracker?.isComplete == true {
            if tracker == nil {
                let outcome = head.feed(data, &pos, limit: Self.headLimit) { view -> (Int, Bool, BodyFraming)? in
                    guard let status = view.status else { return nil }
                    let close = view.hasToken("close", in: "connection")
                        || (view.isHTTP10 && !view.hasToken("keep-alive", in: "connection"))
                    let framing: BodyFraming
                    if (100..<200).contains(status) || status == 204 || status == 304 {
                        framing = .none
                    } else if view.hasToken("chunked", in: "transfer-encoding") {
                        framing = .chunked
                    } else if let n = view.integer("content-length") {
                        framing = .contentLength(n)
                    } else {
                        framing = .untilClose
                    }
                    return (status, close, framing)
                }
                switch outcome {
                case .needMore: return .needMore
                case .tooLarge: return .failed("response head larger than \(Self.headLimit) bytes")
                case .head(nil): return .failed("unreadable status line")
                case .head(let parsed?):
                    if (100..<200).contains(parsed.0) { continue }  // 100 Continue and friends: not the answer
                    status = parsed.0
                    closeAfter = parsed.1
                    tracker = BodyTracker(parsed.2)
                    chunked = parsed.2 == .chunked
                    untilClose = parsed.2 == .untilClose
                }
            }
            guard var t = tracker else { continue }
            if !t.isComplete {
                let rest = UnsafeRawBufferPointer(rebasing: data[pos...])
                switch t.consume(rest) {
                case .failure(let e): return .failed("bad response body: \(e)")
                case .success(let progress):
                    if captureBody { body.append(contentsOf: rest[..<progress.bodyBytes]) }
                    pos += progress.bodyBytes
                }
                tracker = t
            }
            if t.isComplete {
                tracker = nil
                return .complete
            }
            return .needMore
        }
        return .needMore
    }

    /// The peer closed: true if that ends the current response (a body delimited by the close).
    mutating func peerClosed() -> Bool {
        guard tracker != nil, untilClose else { return false }
        tracker = nil
        return true
    }
}
