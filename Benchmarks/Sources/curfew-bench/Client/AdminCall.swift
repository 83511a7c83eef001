import CurfewNet

/// One plain-HTTP request to curfew's admin API on the benchmark's loop (`revoke` times `POST /revoke` against
/// the closes it causes, so the call must not block the loop that sees them).
final class AdminCall: ClientConnDelegate {
    private let context: BenchContext
    private let endpoint: Endpoint
    private var conn: ClientConn?
    private var reader = ResponseReader()
    private(set) var isConnected = false
    private(set) var failure: String?
    private(set) var status: Int?
    private(set) var body = ""
    /// Monotonic ns when the response was complete.
    private(set) var answeredAt: Int64 = 0

    init(context: BenchContext, url: TargetURL) throws(BenchFailure) {
        self.context = context
        endpoint = try Endpoint(url)
        reader.captureBody = true
    }

    var isDone: Bool { status != nil || failure != nil }

    /// Connects now, so that the timed part is the request alone.
    func connect() {
        switch context.connect(index: 0, delegate: self, request: [], accept: nil, endpoint: endpoint) {
        case .success(let c): conn = c
        case .failure(let f): failure = f.message
        }
    }

    func send(_ request: [UInt8]) {
        guard let conn, isConnected else {
            if failure == nil { failure = "not connected" }
            return
        }
        if !request.withUnsafeBytes({ conn.send($0) }) { failure = "sending the admin request failed" }
    }

    func close() { conn?.close(abortive: true) }

    func connectionOpened(_ conn: ClientConn, leftover: UnsafeRawBufferPointer) { isConnected = true }

    func connectionFailed(_ conn: ClientConn, reason: String) { failure = reason }

    func connectionEvent(_ conn: ClientConn, readiness: Readiness) {
        let buf = context.scratch
        while !isDone {
            switch conn.read(into: buf) {
            case .wouldBlock:
                return
            case .closed, .failed:
                if reader.peerClosed() {
                    complete()
                } else {
                    failure = "the admin API closed the connection without a full answer"
                }
                return
            case .bytes(let n):
                var pos = 0
                switch reader.feed(UnsafeRawBufferPointer(rebasing: buf[..<n]), &pos) {
                case .needMore: continue
                case .failed(let why): failure = why
                case .complete: complete()
                }
            }
        }
    }

    private func complete() {
        answeredAt = Clock.now()
        status = reader.status
        body = String(decoding: reader.decodedBody, as: UTF8.self)
    }
}
