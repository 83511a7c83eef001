import CurfewNet

/// `handshake`: full connection setups per second — TCP connect, a full TLS handshake (a new session each time, no
/// resumption), the upgrade request and its 101 — with `concurrency` attempts in flight. Each success is closed
/// at once with a RST (SO_LINGER 0), so thousands of connections a second leave no TIME_WAIT behind.
final class HandshakeBench: ClientConnDelegate {
    private let context: BenchContext
    private let options: CommonOptions
    private let concurrency: Int
    private var opener: Opener!
    private var measuring = false
    private var completed = 0
    private var failed = 0

    static let flags = CommonOptions.flags.union(CommonOptions.timedFlags).union(["concurrency"])

    init(_ args: Arguments, stop: StopSignal) throws(BenchError) {
        do {
            options = try CommonOptions(args, schemes: [.ws, .wss])
            concurrency = try args.int("concurrency", default: 16, in: 1...5000)
        } catch {
            throw .usage(error)
        }
        context = try options.context(stop: stop)
    }

    func run() throws(BenchFailure) -> JSONLine {
        opener = Opener(total: .max, concurrency: concurrency, attemptTimeoutSeconds: 5) { [unowned self] i in
            let (request, accept) = context.upgradeRequest()
            return context.connect(index: i, delegate: self, request: request, accept: accept)
        }
        opener.pump()
        let warmEnd = Clock.now() + Clock.nanoseconds(seconds: options.warmup)
        context.drive(until: warmEnd) { now in
            opener.expire(now: now)
            opener.pump()
            return true
        }
        measuring = true
        let start = Clock.now()
        let failedBefore = opener.failed
        context.drive(until: start + Clock.nanoseconds(seconds: options.seconds)) { now in
            opener.expire(now: now)
            opener.pump()
            return true
        }
        let elapsed = Double(Clock.now() - start) / 1e9
        measuring = false
        opener.accepting = false
        // The opener counts every failure: refused connects, failed handshakes and upgrades, and timeouts.
        failed = opener.failed - failedBefore
        opener.abandon()
        if context.stop.isRaised { throw BenchFailure("interrupted") }
        var out = JSONLine()
        out.add("bench", "handshake")
        out.add("tls", context.url.isTLS)
        out.add("concurrency", concurrency)
        out.add("completed", completed)
        out.add("failed", failed)
        out.add("seconds", elapsed)
        out.add("per_s", Double(completed) / elapsed)
        if completed == 0 {
            Console.result(out)
            throw BenchFailure("no handshake completed: \(opener.lastFailure ?? "nothing answered")")
        }
        return out
    }

    func connectionOpened(_ conn: ClientConn, leftover: UnsafeRawBufferPointer) {
        opener.finished(conn, ok: true)
        if measuring { completed += 1 }
        conn.close(abortive: true)
        opener.pump()
    }

    func connectionFailed(_ conn: ClientConn, reason: String) {
        opener.finished(conn, ok: false, reason: reason)
        opener.pump()
    }

    func connectionEvent(_ conn: ClientConn, readiness: Readiness) {}
}
