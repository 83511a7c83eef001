import CurfewNet

/// `bulk`: throughput of 64 KiB binary frames on a few websockets, client→server (`up`, to `mode=sink`) or
/// server→client (`down`, from `mode=source`). Counts frame bytes (headers + payload) moved in the window.
final class BulkBench: ClientConnDelegate, FrameSink {
    enum Direction: String { case up, down }

    private let context: BenchContext
    private let options: CommonOptions
    private let direction: Direction
    private let conns: Int
    private let frameSize: Int
    /// `up`: several masked frames back to back, written round and round (the zero mask makes them constant).
    private var block = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var frameLength = 1
    private var offsets: [Int]
    private var blockedLength: [Int]
    private var live: [ClientConn?]
    private var opener: Opener!
    private var measuring = false
    private var windowBytes = 0
    private var failure: String?

    /// Writes per event before yielding (fairness between connections, and the loop's clock checks).
    private static let writeBudget = 8

    static let flags = CommonOptions.flags.union(CommonOptions.timedFlags).union(["direction", "conns", "frame-size"])

    init(_ args: Arguments, stop: StopSignal) throws(BenchError) {
        do {
            options = try CommonOptions(args, schemes: [.ws, .wss])
            direction = Direction(rawValue: try args.choice("direction", ["up", "down"], default: "up")) ?? .up
            conns = try args.int("conns", default: 4, in: 1...1000)
            frameSize = try args.int("frame-size", default: 65536, in: 1...(64 << 20))
        } catch {
            throw .usage(error)
        }
        context = try options.context(stop: stop)
        offsets = Array(repeating: 0, count: conns)
        blockedLength = Array(repeating: 0, count: conns)
        live = Array(repeating: nil, count: conns)
    }

    deinit { block.deallocate() }

    func run() throws(BenchFailure) -> JSONLine {
        if direction == .up { buildBlock() }
        let url = direction == .up
            ? context.url.settingQuery([("mode", "sink")])
            : context.url.settingQuery([("mode", "source"), ("size", String(frameSize))])
        opener = Opener(total: conns, concurrency: conns) { [unowned self] i in
            let (request, accept) = context.upgradeRequest(url: url)
            return context.connect(index: i, delegate: self, request: request, accept: accept)
        }
        try opener.openAll(on: context, within: 20) { failure }
        context.drive(until: Clock.now() + Clock.nanoseconds(seconds: options.warmup)) { _ in failure == nil }
        measuring = true
        let start = Clock.now()
        context.drive(until: start + Clock.nanoseconds(seconds: options.seconds)) { _ in failure == nil }
        let elapsed = Double(Clock.now() - start) / 1e9
        measuring = false
        for conn in live { conn?.close(abortive: true) }
        if let failure { throw BenchFailure(failure) }
        if context.stop.isRaised { throw BenchFailure("interrupted") }
        var out = JSONLine()
        out.add("bench", "bulk")
        out.add("direction", direction.rawValue)
        out.add("conns", conns)
        out.add("frame_size", frameSize)
        out.add("bytes", windowBytes)
        out.add("seconds", elapsed)
        out.add("mb_per_s", Double(windowBytes) / 1e6 / elapsed)
        return out
    }

    /// At least 256 KiB of frames, so each write moves a lot whatever the frame size.
    private func buildBlock() {
        frameLength = FrameWriter.headerLength(payload: frameSize, masked: true) + frameSize
        let frames = Swift.max(1, (256 << 10) / frameLength)
        block = .allocate(byteCount: frames * frameLength, alignment: 16)
        for f in 0..<frames {
            let p = block.baseAddress! + f * frameLength
            let h = FrameWriter.writeHeader(to: p, opcode: Opcode.binary, payload: frameSize, masked: true)
            for i in 0..<frameSize { (p + h).storeBytes(of: UInt8(truncatingIfNeeded: i &* 31), toByteOffset: i, as: UInt8.self) }
        }
    }

    // MARK: ClientConnDelegate

    func connectionOpened(_ conn: ClientConn, leftover: UnsafeRawBufferPointer) {
        live[conn.index] = conn
        opener.finished(conn, ok: true)
        conn.holdsControlFrames = direction == .up
        if !leftover.isEmpty { check(conn, conn.consumeFrames(leftover, self) ?? .open) }
        if direction == .up { writeMore(conn) }
    }

    func connectionFailed(_ conn: ClientConn, reason: String) {
        opener.finished(conn, ok: false, reason: reason)
    }

    func connectionEvent(_ conn: ClientConn, readiness: Readiness) {
        if direction == .down || readiness.isEmpty || !readiness.isDisjoint(with: [.readable, .readHangup, .hangup, .error]) {
            check(conn, conn.readFrames(self, discardPayload: direction == .down))
        }
        if direction == .up, !conn.isClosed, readiness.isEmpty || readiness.contains(.writable) { writeMore(conn) }
    }

    private func check(_ conn: ClientConn, _ outcome: ReadOutcome) {
        if let why = outcome.failureReason { fail(conn, why) }
    }

    private func fail(_ conn: ClientConn, _ why: String) {
        if failure == nil { failure = "connection \(conn.index): \(why)" }
        conn.close(abortive: true)
    }

    /// Writes the frame stream until the socket is full. A control frame the connection queued (a pong, a close
    /// reply; neither the backend nor the proxies send pings, but a peer may) goes out only between two frames.
    private func writeMore(_ conn: ClientConn) {
        let i = conn.index
        var offset = offsets[i]
        defer { offsets[i] = offset }
        for _ in 0..<Self.writeBudget {
            var end = block.count
            if conn.hasPendingOutput {
                if offset % frameLength == 0 {
                    guard conn.flushOutput() else { return fail(conn, "connection closed while sending") }
                    if conn.hasPendingOutput { return }
                } else {
                    end = offset - offset % frameLength + frameLength
                }
            }
            // OpenSSL wants a retried write at least as long as the one that would block.
            end = Swift.max(end, Swift.min(block.count, offset + blockedLength[i]))
            switch conn.write(UnsafeRawBufferPointer(rebasing: block[offset..<end])) {
            case .bytes(let n):
                blockedLength[i] = 0
                offset += n
                if offset == block.count { offset = 0 }
                if measuring { windowBytes += n }
            case .wouldBlock:
                blockedLength[i] = end - offset
                return
            case .closed:
                return fail(conn, "connection closed while sending")
            case .failed(let why):
                return fail(conn, "send failed: \(why)")
            }
        }
        context.loop.runSoon(conn, fd: conn.fd)
    }

    // MARK: FrameSink

    func received(_ conn: ClientConn, bytes: Int) {
        if measuring { windowBytes += bytes }
    }
}
