/// Opens connections with at most `concurrency` attempts in flight, each bounded by `attemptTimeout`.
///
/// The benchmark supplies `start` (build the request, call `BenchContext.connect`) and reports every outcome back
/// through `finished`; the opener keeps the count and tops the in-flight set up again.
final class Opener {
    let total: Int
    let concurrency: Int
    let attemptTimeout: Int64
    private let start: (Int) -> Result<ClientConn, BenchFailure>
    private(set) var started = 0
    private(set) var opened = 0
    private(set) var failed = 0
    private(set) var lastFailure: String?
    private var inFlight: [Int: ClientConn] = [:]
    /// When false, `pump` starts nothing more (the handshake benchmark's measurement is over).
    var accepting = true

    init(total: Int, concurrency: Int, attemptTimeoutSeconds: Double = 15,
         start: @escaping (Int) -> Result<ClientConn, BenchFailure>) {
        self.total = total
        self.concurrency = Swift.max(1, concurrency)
        self.attemptTimeout = Clock.nanoseconds(seconds: attemptTimeoutSeconds)
        self.start = start
        inFlight.reserveCapacity(self.concurrency * 2)
    }

    var isDone: Bool { (started == total || !accepting) && inFlight.isEmpty }
    var inFlightCount: Int { inFlight.count }

    /// Starts attempts until `concurrency` are in flight or all have been started.
    func pump() {
        while accepting, inFlight.count < concurrency, started < total {
            let index = started
            started += 1
            switch start(index) {
            case .success(let conn): inFlight[index] = conn
            case .failure(let f): noteFailure(f.message)
            }
        }
    }

    /// Records an attempt's outcome (from the delegate callbacks). Does not pump: the caller does, once it has
    /// stored the connection.
    func finished(_ conn: ClientConn, ok: Bool, reason: String? = nil) {
        guard inFlight.removeValue(forKey: conn.index) != nil else { return }
        if ok { opened += 1 } else { noteFailure(reason ?? "failed") }
    }

    /// Fails attempts older than the timeout (their delegate gets no callback; they are simply counted).
    func expire(now: Int64) {
        var late: [ClientConn] = []
        for (_, conn) in inFlight where now - conn.startedAt > attemptTimeout { late.append(conn) }
        for conn in late {
            inFlight[conn.index] = nil
            conn.close(abortive: true)
            noteFailure("timed out after \(Double(attemptTimeout) / 1e9) s (phase \(conn.phase))")
        }
    }

    /// Opens every connection: drives `context`'s loop until all `total` are open, the run fails (`failure()`), or
    /// `seconds` pass; then stops opening. Throws unless every one opened.
    func openAll(on context: BenchContext, within seconds: Double, failure: () -> String?) throws(BenchFailure) {
        pump()
        context.drive(until: Clock.now() + Clock.nanoseconds(seconds: seconds)) { now in
            expire(now: now)
            return !isDone && failure() == nil
        }
        abandon()
        if let failure = failure() { throw BenchFailure(failure) }
        guard opened == total else {
            throw BenchFailure("only \(opened) of \(total) websockets opened: \(lastFailure ?? "timeout")")
        }
    }

    /// Aborts whatever is still in flight (end of a run).
    func abandon() {
        for (_, conn) in inFlight { conn.close(abortive: true) }
        inFlight.removeAll()
    }

    private func noteFailure(_ reason: String) {
        failed += 1
        if lastFailure == nil { Console.note("connection failed: \(reason)") }
        lastFailure = reason
    }
}
