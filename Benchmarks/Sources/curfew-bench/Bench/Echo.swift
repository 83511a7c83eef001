import CurfewNet

/// `echo`: round-trip time of small binary frames sent at a fixed total rate, round-robin over the connections,
/// on schedule (open loop: a slow answer does not delay the next send). Each frame carries its send time in its
/// first 8 payload bytes; the backend (`mode=echo`) reflects it.
final class EchoBench: ClientConnDelegate, FrameSink, TickTarget {
    private let context: BenchContext
    private let options: CommonOptions
    private let conns: Int
    private let rate: Int
    private let size: Int
    /// One masked frame, rewritten in place before each send (only its timestamp changes).
    private let frame: UnsafeMutableRawBufferPointer
    private let payloadOffset: Int
    private var live: [ClientConn?]
    /// The first 8 payload bytes of the frame being received, per connection (they may span two reads).
    private var stamp: [UInt64]
    private var samples: [Int64] = []
    private var opener: Opener!
    private var failure: String?

    private var sending = false
    private var scheduleStart: Int64 = 0
    private var scheduled = 0
    private var nextConn = 0
    private var windowStart: Int64 = 0
    private var windowEnd: Int64 = .max
    private var sentInWindow = 0

    static let flags = CommonOptions.flags.union(CommonOptions.timedFlags).union(["conns", "rate", "size"])

    init(_ args: Arguments, stop: StopSignal) throws(BenchError) {
        do {
            options = try CommonOptions(args, schemes: [.ws, .wss])
            conns = try args.int("conns", default: 16, in: 1...5000)
            rate = try args.int("rate", default: 2000, in: 1...1_000_000)
            size = try args.int("size", default: 256, in: 8...(1 << 20))
        } catch {
            throw .usage(error)
        }
        context = try options.context(stop: stop)
        payloadOffset = FrameWriter.headerLength(payload: size, masked: true)
        frame = .allocate(byteCount: payloadOffset + size, alignment: 16)
        frame.initializeMemory(as: UInt8.self, repeating: 0x2A)
        FrameWriter.writeHeader(to: frame.baseAddress!, opcode: Opcode.binary, payload: size, masked: true)
        live = Array(repeating: nil, count: conns)
        stamp = Array(repeating: 0, count: conns)
    }

    deinit { frame.deallocate() }

    func run() throws(BenchFailure) -> JSONLine {
        let url = context.url.settingQuery([("mode", "echo")])
        opener = Opener(total: conns, concurrency: conns) { [unowned self] i in
            let (request, accept) = context.upgradeRequest(url: url)
            return context.connect(index: i, delegate: self, request: request, accept: accept)
        }
        try opener.openAll(on: context, within: 20) { failure }
        samples.reserveCapacity(Int(Double(rate) * options.seconds * 1.2) + 1024)
        let ticker = try Ticker(loop: context.loop, periodNanoseconds: Swift.max(1_000_000_000 / Int64(rate), 50_000), target: self)
        defer { ticker.cancel() }
        scheduleStart = Clock.now()
        sending = true
        tick(now: scheduleStart)
        context.drive(until: scheduleStart + Clock.nanoseconds(seconds: options.warmup)) { _ in failure == nil }
        windowStart = Clock.now()
        context.drive(until: windowStart + Clock.nanoseconds(seconds: options.seconds)) { _ in failure == nil }
        windowEnd = Clock.now()
        sending = false
        // Let the window's last frames come back (bounded).
        context.drive(until: windowEnd + 2_000_000_000) { _ in failure == nil && samples.count < sentInWindow }
        for conn in live { conn?.close(abortive: true) }
        if let failure { throw BenchFailure(failure) }
        if context.stop.isRaised { throw BenchFailure("interrupted") }
        guard !samples.isEmpty else { throw BenchFailure("no echo came back") }
        let window = Double(windowEnd - windowStart) / 1e9
        let p = Percentiles(samples.map { Double($0) / 1000 })
        var out = JSONLine()
        out.add("bench", "echo")
        out.add("conns", conns)
        out.add("size", size)
        out.add("sent", sentInWindow)
        out.add("received", samples.count)
        out.add("p50_us", p.quantile(0.50))
        out.add("p99_us", p.quantile(0.99))
        out.add("max_us", p.max)
        out.add("rate", Double(sentInWindow) / window)
        return out
    }

    /// Sends every frame due by `now` (a late wake-up catches up, at most 100 ms worth at once).
    func tick(now: Int64) {
        guard sending, failure == nil else { return }
        let due = Int(Double(now - scheduleStart) * Double(rate) / 1e9) + 1 - scheduled
        for _ in 0..<Swift.min(Swift.max(due, 0), Swift.max(rate / 10, 1)) {
            scheduled += 1
            guard let conn = live[nextConn] else { return }
            nextConn = (nextConn + 1) % conns
            let t = Clock.now()
            frame.baseAddress!.storeBytes(of: UInt64(bitPattern: t), toByteOffset: payloadOffset, as: UInt64.self)
            guard conn.send(UnsafeRawBufferPointer(frame)) else { return fail(conn, "send failed") }
            if t >= windowStart, windowStart > 0, t < windowEnd { sentInWindow += 1 }
        }
    }

    // MARK: ClientConnDelegate

    func connectionOpened(_ conn: ClientConn, leftover: UnsafeRawBufferPointer) {
        live[conn.index] = conn
        opener.finished(conn, ok: true)
        if !leftover.isEmpty { check(conn, conn.consumeFrames(leftover, self) ?? .open) }
    }

    func connectionFailed(_ conn: ClientConn, reason: String) {
        opener.finished(conn, ok: false, reason: reason)
    }

    func connectionEvent(_ conn: ClientConn, readiness: Readiness) {
        check(conn, conn.readFrames(self))
    }

    private func check(_ conn: ClientConn, _ outcome: ReadOutcome) {
        if let why = outcome.failureReason { fail(conn, why) }
    }

    private func fail(_ conn: ClientConn, _ why: String) {
        if failure == nil { failure = "connection \(conn.index): \(why)" }
        conn.close(abortive: true)
    }

    // MARK: FrameSink

    func payload(_ conn: ClientConn, _ bytes: UnsafeRawBufferPointer, offset: UInt64) {
        guard offset < 8 else { return }
        var v = stamp[conn.index]
        for k in 0..<Swift.min(bytes.count, 8 - Int(offset)) {
            v |= UInt64(bytes[k]) << (8 * (UInt64(k) + offset))
        }
        stamp[conn.index] = v
    }

    func frameEnd(_ conn: ClientConn) {
        let sentAt = Int64(bitPattern: stamp[conn.index])
        stamp[conn.index] = 0
        guard windowStart > 0, sentAt >= windowStart, sentAt < windowEnd else { return }
        samples.append(Clock.now() - sentAt)
    }
}
