import CurfewNet
import CurfewTLS

/// One client connection: TCP connect, TLS handshake (wss/https), upgrade request and 101 check, then handed to
/// its benchmark (`ClientConnDelegate`), which reads and writes through it.
///
/// Per connection it keeps only what it must: the fd, the TLS session, the frame parser's few words, and buffers
/// that exist only while used (the request until sent, a head split across reads, output a full socket refused).
final class ClientConn: EventHandler {
    /// `detached`: out of the event loop but not closed yet (see `detach`).
    enum Phase { case connecting, tlsHandshake, sendingRequest, readingHead, open, detached, closed }

    /// The benchmark's number for this connection (index into its arrays).
    let index: Int
    let fd: Int32
    let startedAt: Int64
    private(set) var phase: Phase = .connecting
    private(set) var io: Transport
    private unowned let context: BenchContext
    private unowned let delegate: ClientConnDelegate
    private var request: [UInt8]
    private var requestSent = 0
    private var expectedAccept: String?
    private var isWebSocket: Bool
    private var head = HeadAccumulator()
    private let tlsContext: TLSClientContext?
    private let serverName: String

    // Websocket reading and writing (after the 101).
    private var parser = FrameParser()
    /// Output the socket did not take yet (pongs, the close reply, frames sent while it was full).
    private var out: ByteQueue?
    /// When set, pongs and close replies are queued but not written: the benchmark streams frames itself and
    /// flushes the queue between two of them (`bulk up`).
    var holdsControlFrames = false
    /// When set, the reply to a server's close frame is queued but not written: the benchmark writes it later with
    /// `flushOutput` (`cut`: thousands of closes arrive at once, and seeing them matters more than answering).
    var defersCloseReply = false
    /// A control frame's payload being gathered (rare; allocated only then).
    private var control: [UInt8] = []

    /// Largest 101 head we accept; anything bigger is not a proxy answering an upgrade.
    private static let headLimit = 16 << 10
    /// Reads per event before yielding to other connections (`runSoon`): a fast source must not starve the rest.
    private static let readBudget = 8

    init(
        index: Int, fd: Int32, context: BenchContext, delegate: ClientConnDelegate, request: [UInt8], accept: String?,
        tls: TLSClientContext?, serverName: String
    ) {
        self.tlsContext = tls
        self.serverName = serverName
        self.index = index
        self.fd = fd
        self.context = context
        self.delegate = delegate
        self.request = request
        self.expectedAccept = accept
        self.isWebSocket = !request.isEmpty
        self.io = Transport(fd: fd, tls: nil)
        self.startedAt = Clock.now()
    }

    var isOpen: Bool { phase == .open }
    var isClosed: Bool { phase == .closed }
    var hasPendingOutput: Bool { !(out?.isEmpty ?? true) }

    // MARK: events

    func handleEvent(fd: Int32, readiness: Readiness) {
        switch phase {
        case .closed, .detached: return
        case .open:
            // A dead socket is left for the benchmark to notice on its next read.
            if hasPendingOutput, !holdsControlFrames, readiness.isEmpty || readiness.contains(.writable) { flushOutput() }
            delegate.connectionEvent(self, readiness: readiness)
        default:
            advance()
        }
    }

    /// Moves through connect → TLS → request → 101 as far as the socket allows.
    private func advance() {
        while true {
            switch phase {
            case .connecting:
                let err = Socket.pendingError(fd)
                if err != 0 { return fail("\(IOError(call: "connect", errno: err))") }
                guard Socket.isConnected(fd) else { return }  // still in progress: wait for the next edge
                Socket.setNoDelay(fd)
                if let tlsContext {
                    do {
                        io.tls = try TLSConnection(client: tlsContext, fd: fd, serverName: serverName)
                    } catch {
                        return fail("TLS setup: \(error)")
                    }
                    phase = .tlsHandshake
                } else {
                    phase = isWebSocket ? .sendingRequest : .open
                }
            case .tlsHandshake:
                guard let tls = io.tls else { return fail("TLS session missing") }
                switch tls.handshake() {
                case .complete: phase = isWebSocket ? .sendingRequest : .open
                case .wantRead, .wantWrite: return
                case .failed(let e): return fail("TLS handshake: \(e)")
                }
            case .sendingRequest:
                while requestSent < request.count {
                    let step = request.withUnsafeBytes { io.write(UnsafeRawBufferPointer(rebasing: $0[requestSent...])) }
                    switch step {
                    case .bytes(let n): requestSent += n
                    case .wouldBlock: return
                    case .closed: return fail("closed while sending the upgrade request")
                    case .failed(let r): return fail("sending the upgrade request: \(r)")
                    }
                }
                request = []
                phase = .readingHead
            case .readingHead:
                return readUpgradeResponse()
            case .open:
                delegate.connectionOpened(self, leftover: UnsafeRawBufferPointer(start: nil, count: 0))
                return
            case .detached, .closed:
                return
            }
        }
    }

    private func readUpgradeResponse() {
        let buf = context.scratch
        while phase == .readingHead {
            let n: Int
            switch io.read(into: buf) {
            case .bytes(let k): n = k
            case .wouldBlock: return
            case .closed: return fail("closed before the upgrade response")
            case .failed(let r): return fail("reading the upgrade response: \(r)")
            }
            let data = UnsafeRawBufferPointer(rebasing: buf[..<n])
            var pos = 0
            let expected = expectedAccept
            let outcome = head.feed(data, &pos, limit: Self.headLimit) { view -> String? in
                guard let status = view.status else { return "unreadable status line" }
                guard status == 101 else {
                    let (_, code, reason) = view.startLine
                    return "upgrade refused: \(view.string(code)) \(view.string(reason))"
                }
                if let expected {
                    guard let got = view.value(of: "sec-websocket-accept"), view.string(got) == expected else {
                        return "wrong or missing Sec-WebSocket-Accept"
                    }
                }
                return nil
            }
            switch outcome {
            case .needMore: continue
            case .tooLarge: return fail("upgrade response head too large")
            case .head(let problem):
                if let problem { return fail(problem) }
                head.reset()
                expectedAccept = nil
                phase = .open
                // More may wait behind this read (another TLS record, more of the socket): edge-triggered, so
                // have the loop call the benchmark back to read on until EAGAIN.
                context.loop.runSoon(self, fd: fd)
                delegate.connectionOpened(self, leftover: UnsafeRawBufferPointer(rebasing: data[pos...]))
                return
            }
        }
    }

    private func fail(_ reason: String) {
        close(abortive: true)
        delegate.connectionFailed(self, reason: reason)
    }

    // MARK: use by benchmarks

    /// Closes the socket. `abortive`: RST instead of FIN (SO_LINGER 0), leaving no TIME_WAIT behind.
    func close(abortive: Bool) {
        guard phase != .closed else { return }
        phase = .closed
        context.loop.unregister(fd: fd)
        if abortive { Socket.setAbortiveClose(fd) }
        closeFileDescriptor(fd)
        io.tls = nil
        out = nil
        control = []
        request = []
        head.reset()
    }

    /// Takes the connection out of the event loop without closing it: no more events, the socket and the TLS
    /// session stay until `close`. Lets a benchmark put off the cost of closing (and freeing) during a burst.
    func detach() {
        guard phase == .open else { return }
        phase = .detached
        context.loop.unregister(fd: fd)
    }

    /// Writes directly: `.bytes(n)` may be short. Only when no output is queued (order!); see `send`.
    @inline(__always)
    func write(_ bytes: UnsafeRawBufferPointer) -> IOStep { io.write(bytes) }

    @inline(__always)
    func read(into buf: UnsafeMutableRawBufferPointer) -> IOStep { io.read(into: buf) }

    /// Sends `bytes` in order after anything queued; what the socket refuses is queued (and sent on writability).
    /// False if the connection is dead.
    @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let out, !out.isEmpty {
            out.append(bytes)
            return flushOutput()
        }
        var offset = 0
        while offset < bytes.count {
            switch io.write(UnsafeRawBufferPointer(rebasing: bytes[offset...])) {
            case .bytes(let n): offset += n
            case .wouldBlock:
                outQueue().append(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                return true
            case .closed, .failed: return false
            }
        }
        return true
    }

    /// Writes queued output until done or the socket is full. False if the connection is dead.
    @discardableResult
    func flushOutput() -> Bool {
        guard let out else { return true }
        while !out.isEmpty {
            switch io.write(out.readable) {
            case .bytes(let n): out.consume(n)
            case .wouldBlock: return true
            case .closed, .failed: return false
            }
        }
        return true
    }

    private func outQueue() -> ByteQueue {
        if let out { return out }
        let q = ByteQueue()
        out = q
        return q
    }

    /// Reads and parses websocket frames until the socket is drained (or the fairness budget is spent, in which case
    /// the loop calls back soon), answering pings and replying to a close frame.
    /// - Parameter discardPayload: the sink never looks at data payloads (`bulk down`): over plain TCP, big payloads
    ///   are then dropped in the kernel unread (`Discard`), and only headers are read.
    func readFrames<S: FrameSink>(_ sink: S, discardPayload: Bool = false) -> ReadOutcome {
        let buf = context.scratch
        let discarding = discardPayload && io.tls == nil
        for _ in 0..<Self.readBudget {
            if discarding, parser.payloadRemaining > 0, !Opcode.isControl(parser.header.opcode) {
                do {
                    switch try Discard.tcp(fd, upTo: Int(Swift.min(parser.payloadRemaining, 1 << 30))) {
                    case .wouldBlock: return .open
                    case .done(0): return .closedByPeer("connection closed")
                    case .done(let n):
                        sink.received(self, bytes: n)
                        parser.skipPayload(n)
                        continue
                    }
                } catch {
                    return .closedByPeer(error.description)
                }
            }
            let size = discarding && parser.atFrameBoundary && parser.header.length >= 16 << 10
                ? FrameWriter.maxHeaderLength : buf.count
            switch io.read(into: UnsafeMutableRawBufferPointer(rebasing: buf[..<size])) {
            case .bytes(let n):
                sink.received(self, bytes: n)
                if let end = consumeFrames(UnsafeRawBufferPointer(rebasing: buf[..<n]), sink) { return end }
            case .wouldBlock:
                return .open
            case .closed:
                return .closedByPeer("connection closed")
            case .failed(let r):
                return .closedByPeer(r)
            }
        }
        context.loop.runSoon(self, fd: fd)
        return .open
    }

    /// Parses frames in `data` (bytes that arrived with the 101 go through here too). Nil while the connection
    /// stays open.
    func consumeFrames<S: FrameSink>(_ data: UnsafeRawBufferPointer, _ sink: S) -> ReadOutcome? {
        var pos = 0
        while true {
            switch parser.next(data, &pos) {
            case .needMore:
                return nil
            case .header:
                if Opcode.isControl(parser.header.opcode) { control.removeAll(keepingCapacity: true) }
            case .payload(let start, let count, let offset):
                let slice = UnsafeRawBufferPointer(rebasing: data[start..<(start + count)])
                if Opcode.isControl(parser.header.opcode) {
                    control.append(contentsOf: slice)
                    if parser.header.masked {
                        // Servers must not mask, but unmasking costs nothing here and keeps the codes right.
                        let from = control.count - count
                        control.withUnsafeMutableBytes { c in
                            let p = c.baseAddress! + from
                            Masking.copy(from: p, to: p, count: count, key: parser.header.maskKey, offset: offset)
                        }
                    }
                } else {
                    sink.payload(self, slice, offset: offset)
                }
            case .end:
                switch parser.header.opcode {
                case Opcode.ping:
                    let q = outQueue()
                    control.withUnsafeBytes { FrameWriter.appendControl(to: q, opcode: Opcode.pong, payload: $0, masked: true) }
                    control = []
                    if !holdsControlFrames { flushOutput() }
                case Opcode.close:
                    let code = control.count >= 2 ? UInt16(control[0]) << 8 | UInt16(control[1]) : nil
                    control = []
                    FrameWriter.appendClose(to: outQueue(), code: code, masked: true)
                    if !holdsControlFrames && !defersCloseReply { flushOutput() }
                    return .closedByFrame(code)
                case Opcode.pong:
                    control = []
                default:
                    sink.frameEnd(self)
                }
            case .protocolError(let reason):
                return .protocolError(reason)
            }
        }
    }
}
