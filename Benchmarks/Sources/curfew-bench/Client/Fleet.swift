import CurfewNet

/// Many websockets opened with bounded concurrency and then held, idle, while recording when and how each one is
/// closed by the server: the common part of `idle`, `cut` and `revoke`.
///
/// A held connection keeps reading (the server's close frame arrives as data) and answers pings; nothing else is
/// sent. Its cost in this process is the `ClientConn`, its TLS session (OpenSSL's buffers are released while idle)
/// and two timestamps here.
final class Fleet: ClientConnDelegate, FrameSink {
    let context: BenchContext
    let total: Int
    private let makeRequest: (Int) -> (request: [UInt8], accept: String)
    private(set) var live: [ClientConn?]
    /// Wall-clock ms (fractional) at which the close was seen; nan while open.
    private(set) var closedAtWall: [Double]
    /// Monotonic ns at which the close was seen; 0 while open.
    private(set) var closedAtMono: [Int64]
    private(set) var openNow = 0
    private(set) var closedByFrame = 0
    private(set) var closedByTCP = 0
    private(set) var protocolErrors = 0
    private(set) var codes: [UInt16: Int] = [:]
    private(set) var opener: Opener!
    private(set) var secondsToOpen = 0.0
    /// Closed by the server, seen and recorded, but not yet answered and closed here (see `finishClosed`).
    private var closedPending: [ClientConn] = []
    private var closesSinceStep = 0

    init(context: BenchContext, total: Int, concurrency: Int, makeRequest: @escaping (Int) -> (request: [UInt8], accept: String)) {
        self.context = context
        self.total = total
        self.makeRequest = makeRequest
        live = Array(repeating: nil, count: total)
        closedAtWall = Array(repeating: .nan, count: total)
        closedAtMono = Array(repeating: 0, count: total)
        opener = Opener(total: total, concurrency: concurrency) { [unowned self] i in
            let (request, accept) = self.makeRequest(i)
            return self.context.connect(index: i, delegate: self, request: request, accept: accept)
        }
    }

    var opened: Int { opener.opened }
    var failed: Int { opener.failed }
    var closedCount: Int { closedByFrame + closedByTCP + protocolErrors }

    /// Opens all connections, or as many as open before `deadline`.
    func openAll(deadline: Int64) {
        let start = Clock.now()
        opener.pump()
        context.drive(until: deadline) { now in
            opener.expire(now: now)
            opener.pump()
            return !opener.isDone
        }
        opener.accepting = false
        opener.abandon()
        secondsToOpen = Double(Clock.now() - start) / 1e9
    }

    /// Runs the loop until `deadline`, a stop signal, or `keepGoing` returns false.
    func hold(until deadline: Int64, while keepGoing: @escaping () -> Bool) {
        context.drive(until: deadline, wakeMs: 20) { _ in
            // Answer and close the connections the server closed once the burst of closes is over, so that
            // seeing a close is never queued behind answering the previous ones.
            if closesSinceStep == 0 { finishClosed(max: 256) }
            closesSinceStep = 0
            return keepGoing()
        }
    }

    /// Sends the close replies (queued by the connections) and closes the sockets of up to `max` connections the
    /// server closed.
    func finishClosed(max: Int = .max) {
        let n = Swift.min(max, closedPending.count)
        guard n > 0 else { return }
        for conn in closedPending[..<n] {
            conn.flushOutput()
            conn.close(abortive: false)
        }
        closedPending.removeFirst(n)
    }

    /// Closes whatever is still open, with a RST (no TIME_WAIT, nothing for the server to wait for).
    func closeAll() {
        finishClosed()
        for case let conn? in live where !conn.isClosed { conn.close(abortive: true) }
        live = Array(repeating: nil, count: 0)
        openNow = 0
    }

    // MARK: ClientConnDelegate

    func connectionOpened(_ conn: ClientConn, leftover: UnsafeRawBufferPointer) {
        live[conn.index] = conn
        openNow += 1
        opener.finished(conn, ok: true)
        conn.defersCloseReply = true
        if !leftover.isEmpty, let outcome = conn.consumeFrames(leftover, self) { record(conn, outcome) }
        opener.pump()
    }

    func connectionFailed(_ conn: ClientConn, reason: String) {
        opener.finished(conn, ok: false, reason: reason)
        opener.pump()
    }

    func connectionEvent(_ conn: ClientConn, readiness: Readiness) {
        record(conn, conn.readFrames(self))
    }

    private func record(_ conn: ClientConn, _ outcome: ReadOutcome) {
        let i = conn.index
        switch outcome {
        case .open:
            return
        case .closedByFrame(let code):
            closedByFrame += 1
            codes[code ?? 1005, default: 0] += 1
        case .closedByPeer:
            closedByTCP += 1
        case .protocolError(let why):
            protocolErrors += 1
            if protocolErrors == 1 { Console.note("connection \(i): protocol error: \(why)") }
        }
        closedAtWall[i] = Clock.wallMilliseconds()
        closedAtMono[i] = Clock.now()
        openNow -= 1
        closesSinceStep += 1
        conn.detach()
        closedPending.append(conn)
        live[i] = nil
    }
}
