import CurfewHTTP
import CurfewNet

/// One connection to the fake gateway: HTTP/1.1 requests until an upgrade, then websocket frames.
///
/// Output goes straight to the socket; only what it refuses is queued (`out`). Echo replies are built into the
/// queue (header rewritten unmasked, payload unmasked while copying) and flushed once per read, and reading pauses
/// while the queue is long, so a client that does not read cannot grow the backend without bound.
final class BackendConn: EventHandler {
    enum Phase { case http, webSocket, closing, closed }
    enum Mode { case echo, sink, source }

    let fd: Int32
    unowned let server: BackendServer
    var phase = Phase.http
    var mode = Mode.echo
    private var head = HeadAccumulator()
    /// Request body bytes still to skip (a GET with a body, say).
    private var skipBody: UInt64 = 0
    var out: ByteQueue?
    /// Close once `out` is written (after `Connection: close`, or our close frame).
    var closeWhenFlushed = false
    var parser = FrameParser()
    var control: [UInt8] = []
    var source: SourceStream?
    var sourceOffset = 0
    /// Reading stopped because too much output waits; resumed when it drains.
    private var readPaused = false
    /// Payload length of the last frame header seen (sink mode picks its read size by it).
    var lastFrameLength: UInt64 = 0

    static let headLimit = 64 << 10
    /// Stop reading while this much output waits.
    static let backlogLimit = 4 << 20
    static let budget = 8

    init(fd: Int32, server: BackendServer) {
        self.fd = fd
        self.server = server
    }

    func handleEvent(fd: Int32, readiness: Readiness) {
        guard phase != .closed else { return }
        let all = readiness.isEmpty
        if all || readiness.contains(.writable) || readPaused { writeAll() }
        guard phase != .closed else { return }
        if all || readPaused || !readiness.isDisjoint(with: [.readable, .readHangup, .hangup, .error]) { readAll() }
    }

    // MARK: reading

    private func readAll() {
        let buf = server.scratch
        for _ in 0..<Self.budget {
            if let out, out.count > Self.backlogLimit {
                readPaused = true
                return
            }
            readPaused = false
            // A sink inside a frame's payload: drop it in the kernel, unread.
            if phase == .webSocket, mode == .sink, parser.payloadRemaining > 0, !Opcode.isControl(parser.header.opcode) {
                let want = Int(Swift.min(parser.payloadRemaining, 1 << 30))
                do {
                    switch try Discard.tcp(fd, upTo: want) {
                    case .wouldBlock: return
                    case .done(0): return closeNow()
                    case .done(let k):
                        parser.skipPayload(k)
                        continue
                    }
                } catch {
                    return closeNow()
                }
            }
            // Between two big sink frames, read just the next header (and a few payload bytes): the rest of the
            // payload is then dropped unread above. Small frames are read in bulk as usual.
            let size = mode == .sink && phase == .webSocket && parser.atFrameBoundary && lastFrameLength >= 16 << 10
                ? FrameWriter.maxHeaderLength : buf.count
            let n: Int
            do {
                switch try Socket.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buf[..<size])) {
                case .wouldBlock: return
                case .done(let k): n = k
                }
            } catch {
                return closeNow()
            }
            if n == 0 { return closeNow() }
            process(UnsafeRawBufferPointer(rebasing: buf[..<n]))
            guard phase != .closed else { return }
            writeAll()
            guard phase != .closed else { return }
        }
        server.loop.runSoon(self, fd: fd)
    }

    private func process(_ data: UnsafeRawBufferPointer) {
        var pos = 0
        while pos < data.count {
            switch phase {
            case .http:
                if skipBody > 0 {
                    let k = Int(Swift.min(skipBody, UInt64(data.count - pos)))
                    pos += k
                    skipBody -= UInt64(k)
                    continue
                }
                let outcome = head.feed(data, &pos, limit: Self.headLimit) { view in respond(to: view) }
                switch outcome {
                case .needMore: return
                case .tooLarge: return finish(with: CannedResponses.headTooLarge)
                case .head: continue
                }
            case .webSocket:
                return consumeFrames(data, &pos)
            case .closing, .closed:
                return
            }
        }
    }

    /// Answers one request head (called with the head in place).
    private func respond(to view: HeadView) {
        let (method, target, version) = view.startLine
        guard !method.isEmpty, !target.isEmpty, view.equals(version, "HTTP/1.1") || view.equals(version, "HTTP/1.0")
        else { return finish(with: CannedResponses.badRequest) }
        if view.hasToken("chunked", in: "transfer-encoding") { return finish(with: CannedResponses.chunkedRefused) }
        skipBody = view.integer("content-length") ?? 0
        let http10 = view.equals(version, "HTTP/1.0")
        let close = view.hasToken("close", in: "connection") || (http10 && !view.hasToken("keep-alive", in: "connection"))
        if view.contains(target, "/_blipsync") {
            guard view.equals(method, "GET"), view.hasToken("websocket", in: "upgrade"),
                let key = view.value(of: "sec-websocket-key"), !key.isEmpty
            else {
                return close ? finish(with: CannedResponses.notUpgrade) : send(CannedResponses.notUpgrade)
            }
            var subprotocol: String?
            if let offered = view.value(of: "sec-websocket-protocol") {
                let first = view.string(offered).split(separator: ",").first.map { String($0).trimmingSpaces } ?? ""
                if !first.isEmpty { subprotocol = first }
            }
            let query = HTTPTarget(view.string(target))
            switch query.queryValue("mode") ?? "echo" {
            case "sink": mode = .sink
            case "source": mode = .source
            default: mode = .echo
            }
            send(CannedResponses.switching(key: view.string(key), subprotocol: subprotocol))
            phase = .webSocket
            if mode == .source {
                let size = query.queryValue("size").flatMap { Int($0) }.map { Swift.min(Swift.max($0, 0), 64 << 20) }
                source = server.source(size: size ?? 65536)
            }
            return
        }
        if close {
            finish(with: CannedResponses.dbInfoClose)
        } else {
            send(http10 ? CannedResponses.dbInfoKeepAlive : CannedResponses.dbInfo)
        }
    }

    /// Queues `bytes` (written by `writeAll` after this read is processed).
    func send(_ bytes: [UInt8]) { outQueue().append(bytes) }

    /// Queues a last response and closes once it is written; later bytes are ignored.
    private func finish(with bytes: [UInt8]) {
        send(bytes)
        closeWhenFlushed = true
        phase = .closing
    }

    func outQueue() -> ByteQueue {
        if let out { return out }
        let q = ByteQueue()
        out = q
        return q
    }

    // MARK: writing

    /// Writes queued output, then (source mode) the frame stream, until the socket is full. Queued output (a pong,
    /// the close reply) goes out only between two frames of the stream, and a closing stream finishes its frame.
    func writeAll() {
        for _ in 0..<Self.budget {
            let frameLength = source?.frameLength ?? 1
            let atBoundary = sourceOffset % frameLength == 0
            if let out, !out.isEmpty, atBoundary {
                let step: SyscallResult<Int>
                do {
                    step = try Socket.write(fd, out.readable)
                } catch {
                    return closeNow()
                }
                guard case .done(let n) = step else { return }
                out.consume(n)
                continue
            }
            if closeWhenFlushed, atBoundary, out?.isEmpty ?? true { return closeNow() }
            guard let source, phase == .webSocket || !atBoundary else { return }
            var end = source.block.count
            if phase != .webSocket || !(out?.isEmpty ?? true) {
                end = sourceOffset - sourceOffset % frameLength + frameLength
            }
            let step: SyscallResult<Int>
            do {
                step = try Socket.write(fd, UnsafeRawBufferPointer(rebasing: source.block[sourceOffset..<end]))
            } catch {
                return closeNow()
            }
            guard case .done(let n) = step else { return }
            sourceOffset += n
            if sourceOffset == source.block.count { sourceOffset = 0 }
        }
        server.loop.runSoon(self, fd: fd)
    }

    func closeNow() {
        guard phase != .closed else { return }
        phase = .closed
        server.loop.unregister(fd: fd)
        closeFileDescriptor(fd)
        out = nil
        source = nil
        control = []
        head.reset()
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
