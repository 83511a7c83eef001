import CurfewNet

/// `rest`: keep-alive `GET`s per second. Each connection sends a request, reads the whole response (status line,
/// then Content-Length or chunked body: proxies may re-frame it), and sends the next. A connection the server
/// closes is replaced.
final class RestBench: ClientConnDelegate {
    private let context: BenchContext
    private let options: CommonOptions
    private let conns: Int
    private let request: [UInt8]
    private var live: [ClientConn?]
    private var readers: [ResponseReader]
    private var measuring = false
    private var requests = 0
    private var errors = 0
    private var opened = 0
    private var lastError: String?

    static let flags = CommonOptions.flags.union(CommonOptions.timedFlags).union(["conns"])

    init(_ args: Arguments, stop: StopSignal) throws(BenchError) {
        do {
            options = try CommonOptions(args, schemes: [.http, .https])
            conns = try args.int("conns", default: 8, in: 1...5000)
        } catch {
            throw .usage(error)
        }
        context = try options.context(stop: stop)
        var text = "GET \(context.url.requestTarget) HTTP/1.1\r\nHost: \(context.hostHeader)\r\n"
        text += "User-Agent: curfew-bench\r\nAccept: application/json\r\n"
        for line in context.extraHeaders { text += line + "\r\n" }
        request = Array((text + "\r\n").utf8)
        live = Array(repeating: nil, count: conns)
        readers = Array(repeating: ResponseReader(), count: conns)
    }

    func run() throws(BenchFailure) -> JSONLine {
        for i in 0..<conns { connect(i) }
        let openDeadline = Clock.now() + Clock.nanoseconds(seconds: 10)
        context.drive(until: openDeadline) { _ in
            retryFailed()
            return opened < conns
        }
        guard opened > 0 else { throw BenchFailure("no connection could be made: \(lastError ?? "timeout")") }
        context.drive(until: Clock.now() + Clock.nanoseconds(seconds: options.warmup)) { _ in retryFailed() }
        measuring = true
        let start = Clock.now()
        let errorsBefore = errors
        context.drive(until: start + Clock.nanoseconds(seconds: options.seconds)) { _ in retryFailed() }
        let elapsed = Double(Clock.now() - start) / 1e9
        measuring = false
        for conn in live { conn?.close(abortive: true) }
        if context.stop.isRaised { throw BenchFailure("interrupted") }
        var out = JSONLine()
        out.add("bench", "rest")
        out.add("conns", conns)
        out.add("requests", requests)
        out.add("seconds", elapsed)
        out.add("per_s", Double(requests) / elapsed)
        out.add("errors", errors - errorsBefore)
        if requests == 0 {
            Console.result(out)
            throw BenchFailure("no request succeeded: \(lastError ?? "no answer")")
        }
        return out
    }

    private func connect(_ i: Int) {
        readers[i].reset()
        switch context.connect(index: i, delegate: self, request: [], accept: nil) {
        case .success(let conn): live[i] = conn
        case .failure(let f): noteError(f.message)
        }
    }

    private func sendRequest(_ conn: ClientConn) {
        let ok = request.withUnsafeBytes { conn.send($0) }
        if !ok { replace(conn, "send failed") }
    }

    private func replace(_ conn: ClientConn, _ why: String?) {
        if let why { noteError(why) }
        conn.close(abortive: true)
        live[conn.index] = nil
        // Keep the connection count up, but not in a tight loop when the server refuses everything.
        if !context.stop.isRaised { connect(conn.index) }
    }

    private func noteError(_ why: String) {
        errors += 1
        if lastError == nil { Console.note("rest: \(why)") }
        lastError = why
    }

    // MARK: ClientConnDelegate

    func connectionOpened(_ conn: ClientConn, leftover: UnsafeRawBufferPointer) {
        opened += 1
        sendRequest(conn)
    }

    func connectionFailed(_ conn: ClientConn, reason: String) {
        noteError(reason)
        live[conn.index] = nil
        // Retried on the next wake-up of the loop, so a dead server costs a connect per 10 ms, not a spin.
        retryLater.append(conn.index)
    }

    private var retryLater: [Int] = []

    /// Reconnects the connections whose connect failed (called from the loop's wake-ups). Always true.
    @discardableResult
    private func retryFailed() -> Bool {
        guard !retryLater.isEmpty else { return true }
        let batch = retryLater
        retryLater.removeAll()
        for i in batch { connect(i) }
        return true
    }

    func connectionEvent(_ conn: ClientConn, readiness: Readiness) {
        let buf = context.scratch
        let i = conn.index
        for _ in 0..<8 {
            let n: Int
            switch conn.read(into: buf) {
            case .bytes(let k): n = k
            case .wouldBlock: return
            case .closed, .failed:
                if readers[i].peerClosed() {
                    finishResponse(conn, readers[i].status, reopen: true)
                } else {
                    replace(conn, readers[i].isIdle ? nil : "connection closed mid-response")
                }
                return
            }
            var pos = 0
            let data = UnsafeRawBufferPointer(rebasing: buf[..<n])
            responses: while pos < data.count {
                switch readers[i].feed(data, &pos) {
                case .needMore:
                    break responses
                case .failed(let why):
                    return replace(conn, why)
                case .complete:
                    // Bytes after a complete response would be an answer to nothing (we do not pipeline).
                    if pos < data.count { return replace(conn, "unexpected bytes after a response") }
                    let reopen = readers[i].closeAfter
                    finishResponse(conn, readers[i].status, reopen: reopen)
                    if reopen { return }
                }
            }
        }
        context.loop.runSoon(conn, fd: conn.fd)
    }

    private func finishResponse(_ conn: ClientConn, _ status: Int, reopen: Bool) {
        if measuring {
            if (200..<300).contains(status) { requests += 1 } else { noteError("status \(status)") }
        }
        readers[conn.index].reset()
        if reopen {
            replace(conn, nil)
        } else {
            sendRequest(conn)
        }
    }
}
