import CurfewHTTP
import CurfewLog
import CurfewNet
import CurfewTLS
import CurfewTimer

/// One accepted client connection and, while it needs one, its upstream connection to SG.
///
/// Life: TLS handshake -> request heads (keep-alive loop: head, body, response) -> optionally a websocket
/// splice after SG's 101 -> close. Bytes move through the worker's scratch buffer; only short writes leave
/// bytes behind (`toClient` / `toUpstream`), and while they do the source side is not read (backpressure).
/// Everything runs on the owning worker's thread.
final class ClientConnection: EventHandler, UpstreamOwner {
    enum Phase {
        case tlsHandshake(TLSConnection)
        /// Waiting for (or receiving) a request head.
        case readingHead
        /// A head is parsed; the upstream connection is being made.
        case connectingUpstream
        /// Request and response are flowing.
        case exchanging
        /// curfew answers the request itself, possibly after asking the other workers or SG's admin API.
        case answering
        /// Reading the body of a request curfew answers itself (admin API, heartbeat).
        case localBody
        /// SG answered 101: frames are spliced both ways.
        case webSocket
        /// Cut: nothing is forwarded any more; waiting for the peers' close or `close_grace`.
        case closing
        case closed
    }

    /// `unowned(unsafe)`: a worker outlives every connection it owns (it aborts them all before `run()` returns),
    /// and a safe `unowned` reference pays an atomic retain and release on every access, which on the REST path
    /// is dozens per request.
    unowned(unsafe) let worker: Worker
    let id: UInt64
    let fd: Int32
    let remote: SocketAddress
    /// The client's IP (for X-Forwarded-For).
    let remoteHost: String
    /// `ip:port`, for logs and the admin API.
    let remoteLabel: String
    let listener: ListenerSettings
    var down: ByteStream
    var phase: Phase
    let openedAt: Int64

    // Edge-triggered readiness: set by any event on the fd, cleared when a read would block.
    var downReadable = true
    var upReadable = false

    // HTTP exchange state.
    var requestParser: HTTPHeadParser
    var request: RequestState?
    var responseParser: HTTPHeadParser
    var responseBody: BodyTracker?
    var responseStatus = 0
    var responseBytes = 0
    var responseStarted = false
    var responseUntilClose = false
    var upstreamWantsClose = false
    /// Client bytes read past the current request (pipelining); parsed after the response.
    var leftover: [UInt8] = []
    var headBytesSeen = 0
    var closeWhenFlushed = false

    var upstream: UpstreamConnection?
    /// Where this listener's requests go: SG's public API, or its admin API for `gateway_admin`.
    var pool: UpstreamPool { listener.role == .gatewayAdmin ? worker.adminPool : worker.upstreamPool }
    var toUpstream = PendingBytes()
    var toClient = PendingBytes()
    /// A rewritten response head waiting for the body bytes that arrived with it (see `responseHeadReceived`).
    var heldResponseHead: [UInt8]?

    var ws: WebSocketSession?
    /// Identity admitted for the current request, until the websocket (or feed) opens.
    var pendingIdentity: Identity?
    var pendingDB: String?
    var pendingEnforced = false
    /// Set while the connection lives under a deadline (websocket or streaming feed).
    var guardState: ConnectionGuard?
    /// A request curfew answers itself, reading its (small) body first.
    var localBody: [UInt8]?
    var localHandler: (([UInt8]) -> Void)?
    /// A `gateway_admin` call curfew acts on after SG's 2xx.
    var adminExchange: AdminExchange?

    var headerTimer: TimerID?
    var idleTimer: TimerID?
    var connectTimer: TimerID?
    var graceTimer: TimerID?

    init(worker: Worker, id: UInt64, fd: Int32, remote: SocketAddress, listener: ListenerSettings) {
        self.worker = worker
        self.id = id
        self.fd = fd
        self.remote = remote
        self.remoteHost = remote.host
        self.remoteLabel = remote.description
        self.listener = listener
        self.down = PlainStream(fd: fd)
        self.phase = .readingHead
        self.openedAt = worker.now
        self.requestParser = HTTPHeadParser(kind: .request, limits: worker.settings.limits)
        self.responseParser = HTTPHeadParser(kind: .response, limits: worker.settings.limits)
    }

    var isWebSocket: Bool { if case .webSocket = phase { true } else { false } }
    /// A websocket, or a streaming response under a deadline: what a cut or a revocation applies to.
    var isEnforced: Bool {
        switch phase {
        case .webSocket: true
        case .exchanging: guardState != nil
        default: false
        }
    }
    var isClosed: Bool { if case .closed = phase { true } else { false } }

    func start() {
        headerTimer = worker.schedule(.headerTimeout, id: id, at: worker.now + worker.settings.headerTimeout)
        if let context = listener.tls {
            do {
                let tls = try TLSConnection(server: context, fd: fd)
                down = TLSStream(fd: fd, tls: tls)
                phase = .tlsHandshake(tls)
            } catch {
                worker.logger.warning("tls_error", ["conn": .integer(id), "error": .string("\(error)")])
                closeNow()
                return
            }
        }
        progress()
    }

    // MARK: events

    func handleEvent(fd: Int32, readiness: Readiness) {
        downReadable = true
        if case .exchanging = phase, request?.bodyComplete == true,
            !readiness.isDisjoint(with: [.readHangup, .hangup, .error])
        {
            // The client went away while SG was still answering (a long poll, a continuous feed):
            // nobody will read the rest, so stop both sides now.
            abort(reason: "client_gone")
            return
        }
        progress()
    }

    func upstreamEvent(_ upstream: UpstreamConnection, readiness: Readiness) {
        guard upstream === self.upstream else { return }
        upReadable = true
        if case .connectingUpstream = phase {
            switch upstream.continueConnecting() {
            case .pending: return
            case .failed(let error): upstreamUnavailable(error)
            case .ready: startExchange()
            }
            return
        }
        progress()
    }

    /// Moves every direction as far as it can go. Idempotent: safe to call on any event.
    func progress() {
        switch phase {
        case .closed:
            return
        case .tlsHandshake(let tls):
            switch tls.handshake() {
            case .complete:
                phase = .readingHead
            case .wantRead, .wantWrite:
                return
            case .failed(let error):
                worker.logger.debug("tls_handshake_failed", ["conn": .integer(id), "error": .string("\(error)")])
                closeNow()
                return
            }
        case .closing:
            flushToClient()
            flushToUpstream()
            drainWhileClosing()
            return
        default:
            break
        }
        flushToClient()
        if isClosed { return }
        flushToUpstream()
        if isClosed { return }
        pumpClient()
        if isClosed { return }
        pumpUpstream()
    }

    // MARK: reading

    /// Reads per wake-up before yielding to other connections (fairness under bulk transfers).
    private static let readsPerTurn = 16

    private var mayReadClient: Bool {
        switch phase {
        case .readingHead: return toUpstream.isEmpty
        case .exchanging: return request?.bodyComplete == false && toUpstream.isEmpty
        case .localBody: return true
        case .webSocket: return toUpstream.isEmpty
        default: return false
        }
    }

    func pumpClient() {
        var turns = 0
        while downReadable && mayReadClient && !isClosed {
            if turns == Self.readsPerTurn {
                worker.loop.runSoon(self, fd: fd)
                return
            }
            turns += 1
            let status = down.read(into: worker.scratch)
            switch status {
            case .wouldBlock:
                downReadable = down.hasBufferedInput
            case .closed:
                clientEOF()
                return
            case .failed(let error):
                worker.logger.debug("client_error", ["conn": .integer(id), "error": .string(error)])
                abort(reason: "client_error")
                return
            case .bytes(let n):
                handleClientBytes(UnsafeRawBufferPointer(rebasing: worker.scratch[0..<n]))
            }
        }
    }

    private var mayReadUpstream: Bool {
        guard let upstream, upstream.isReady, toClient.isEmpty else { return false }
        switch phase {
        case .exchanging, .webSocket: return true
        default: return false
        }
    }

    func pumpUpstream() {
        var turns = 0
        while upReadable && mayReadUpstream && !isClosed {
            guard let upstream else { return }
            if turns == Self.readsPerTurn {
                worker.loop.runSoon(upstream, fd: upstream.fd)
                return
            }
            turns += 1
            switch upstream.stream.read(into: worker.scratch) {
            case .wouldBlock:
                upReadable = upstream.stream.hasBufferedInput
            case .closed:
                upstreamEOF()
                return
            case .failed(let error):
                worker.logger.warning(
                    "upstream_error", ["conn": .integer(id), "upstream": .string(pool.settings.description),
                                       "error": .string(error)])
                upstreamEOF()
                return
            case .bytes(let n):
                handleUpstreamBytes(UnsafeRawBufferPointer(rebasing: worker.scratch[0..<n]))
            }
        }
    }

    func handleClientBytes(_ bytes: UnsafeRawBufferPointer) {
        switch phase {
        case .readingHead: receiveHeadBytes(bytes)
        case .exchanging: receiveRequestBody(bytes)
        case .webSocket: receiveClientFrames(bytes)
        case .localBody: receiveRequestBody(bytes)
        default: break
        }
    }

    func handleUpstreamBytes(_ bytes: UnsafeRawBufferPointer) {
        switch phase {
        case .exchanging: receiveResponse(bytes)
        case .webSocket: receiveUpstreamFrames(bytes)
        default: break
        }
    }

    // MARK: writing

    /// Writes to the client now, keeping what the socket does not take. `forwarded` bytes come from SG
    /// (websocket position tracking follows them); curfew's own bytes (a close frame) are not tracked.
    func writeToClient(_ bytes: UnsafeRawBufferPointer, forwarded: Bool = true) {
        guard !bytes.isEmpty else { return }
        if let head = heldResponseHead {
            // A plain HTTP response (never a websocket: nothing is tracked), so head and body may share a write.
            heldResponseHead = nil
            var joined = head
            joined.append(contentsOf: bytes)
            joined.withUnsafeBytes { writeToClient($0, forwarded: forwarded) }
            return
        }
        if !toClient.isEmpty {
            toClient.append(bytes)
            return
        }
        let sent = writeSome(down, bytes, trackDown: forwarded)
        guard let sent else { return }
        if sent < bytes.count { toClient.append(UnsafeRawBufferPointer(rebasing: bytes[sent...])) }
    }

    func writeToUpstream(_ bytes: UnsafeRawBufferPointer, forwarded: Bool = true) {
        guard !bytes.isEmpty else { return }
        guard let upstream, toUpstream.isEmpty, upstream.isReady else {
            // Not connected yet (or bytes already queued): keep them in order behind the queue.
            toUpstream.append(bytes)
            return
        }
        guard let sent = writeSome(upstream.stream, bytes, trackUp: forwarded) else { return }
        if sent < bytes.count { toUpstream.append(UnsafeRawBufferPointer(rebasing: bytes[sent...])) }
    }

    func flushToClient() {
        var failed = false
        toClient.send { raw in
            guard let sent = writeSome(down, raw, trackDown: true) else {
                failed = true
                return raw.count
            }
            return sent
        }
        if failed { return }
        if toClient.isEmpty && closeWhenFlushed { closeNow() }
    }

    func flushToUpstream() {
        guard let upstream, upstream.isReady else { return }
        toUpstream.send { raw in writeSome(upstream.stream, raw, trackUp: true) ?? raw.count }
    }

    /// Writes as much as the stream takes. Returns the count written, or nil when the connection was torn
    /// down because of a write error.
    private func writeSome(
        _ stream: ByteStream, _ bytes: UnsafeRawBufferPointer, trackDown: Bool = false, trackUp: Bool = false
    ) -> Int? {
        var offset = 0
        while offset < bytes.count {
            let chunk = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch stream.write(chunk) {
            case .bytes(let k):
                if let ws {
                    let written = UnsafeRawBufferPointer(rebasing: chunk[0..<k])
                    if trackDown && stream === down { ws.clientBound(written) }
                    if trackUp && stream !== down { ws.upstreamBound(written) }
                }
                offset += k
            case .wouldBlock:
                return offset
            case .closed, .failed:
                if stream === down { abort(reason: "client_write_failed") } else { upstreamEOF() }
                return nil
            }
        }
        return offset
    }

    // MARK: timers

    func timerFired(_ kind: TimerKind, deadline: Int64) {
        switch kind {
        case .headerTimeout:
            headerTimer = nil
            guard case .readingHead = phase, headBytesSeen > 0 else {
                if case .readingHead = phase { closeNow() }
                if case .tlsHandshake = phase { closeNow() }
                return
            }
            respond(status: 408, reason: "Request Timeout", error: "request_timeout", close: true)
        case .keepAliveIdle:
            idleTimer = nil
            if case .readingHead = phase, headBytesSeen == 0 { closeNow() }
        case .upstreamConnect:
            connectTimer = nil
            if case .connectingUpstream = phase { upstreamUnavailable("connect timeout") }
        case .closeGrace:
            graceTimer = nil
            closeNow()
        case .enforcement:
            enforcementTimerFired()
        case .sessionRecheck:
            sessionRecheckFired()
        default:
            break
        }
    }

    // MARK: closing

    /// Closes both sides now (TCP close, no close frame).
    func abort(reason: String) {
        if let ws, ws.closedBy == nil { ws.closedBy = reason == "upstream_gone" ? "upstream" : "client" }
        closeNow(graceful: false)
    }

    /// Closes the client socket (after a TLS close_notify when `graceful`) and releases the upstream.
    func closeNow(graceful: Bool = true) {
        if isClosed { return }
        let wasWebSocket = ws != nil
        phase = .closed
        worker.cancel(&headerTimer)
        worker.cancel(&idleTimer)
        worker.cancel(&connectTimer)
        worker.cancel(&graceTimer)
        if guardState != nil {
            worker.cancel(&guardState!.timer)
            worker.cancel(&guardState!.recheckTimer)
        }
        if let ws { ws.finish(connection: self) }
        if let upstream {
            self.upstream = nil
            upstream.owner = nil
            upstream.close(loop: worker.loop)
        }
        toClient.clear()
        toUpstream.clear()
        worker.loop.unregister(fd: fd)
        if graceful && !wasWebSocket { down.shutdownWrite() }
        closeFileDescriptor(fd)
        worker.connectionClosed(self)
    }

    /// SIGTERM: websockets are cut (4001, so clients reconnect elsewhere); idle keep-alive connections close;
    /// exchanges in flight finish and then close.
    func shutdownRequested() {
        switch phase {
        case _ where isEnforced:
            cut(reason: "shutdown", deadlineMilliseconds: WallClock.milliseconds())
        case .readingHead where headBytesSeen == 0, .tlsHandshake:
            closeNow()
        default:
            request?.closeAfter = true
        }
    }
}
