import CurfewNet
import CurfewTLS

/// A run failed (no connection, protocol error, admin call refused): one line on stderr, exit 1.
struct BenchFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Where connections go: the address, and the TLS context and SNI name for wss/https.
struct Endpoint {
    let address: SocketAddress
    /// nil for ws:// and http://. No session cache, so every connection does a full handshake.
    let tls: TLSClientContext?
    let serverName: String

    /// Resolves a loopback URL. Anything else is refused: this tool floods whatever it is pointed at.
    init(_ url: TargetURL) throws(BenchFailure) {
        do {
            address = try SocketAddress(host: url.host, port: url.port)
        } catch {
            throw BenchFailure("cannot resolve \(url.host): \(error)")
        }
        guard address.isLoopback else { throw BenchFailure("\(url.host) is not a loopback address (127.0.0.0/8, ::1)") }
        serverName = url.host
        if url.isTLS {
            do {
                tls = try TLSClientContext(caFile: nil, verifyPeer: false, alpn: ["http/1.1"])
            } catch {
                throw BenchFailure("cannot create a TLS client context: \(error)")
            }
        } else {
            tls = nil
        }
    }
}

/// What every client benchmark shares: the one event loop, one read buffer for all connections, the target, the
/// TLS client context, the stop flag.
///
/// One scratch buffer serves every connection because the loop is single-threaded and each read is consumed before
/// the next: per-connection state is a few words plus whatever a short write left behind, which is what lets `idle`
/// hold 9,000 websockets in little memory.
final class BenchContext {
    static let scratchSize = 256 << 10

    let loop: EventLoop
    let scratch: UnsafeMutableRawBufferPointer
    let url: TargetURL
    let target: Endpoint
    let hostHeader: String
    let extraHeaders: [String]
    let stop: StopSignal
    private let waker: StopWaker

    init(url: TargetURL, host: String?, extraHeaders: [String], stop: StopSignal) throws(BenchFailure) {
        self.url = url
        self.hostHeader = host ?? url.hostHeader
        self.extraHeaders = extraHeaders
        self.stop = stop
        target = try Endpoint(url)
        do {
            loop = try EventLoop(maxEventsPerWait: 512)
        } catch {
            throw BenchFailure("cannot create an event loop: \(error)")
        }
        scratch = .allocate(byteCount: Self.scratchSize, alignment: 16)
        waker = StopWaker(stop.mailbox)
        do {
            try loop.registerReadOnly(fd: stop.mailbox.fd, handler: waker)
        } catch {
            throw BenchFailure("cannot watch for signals: \(error)")
        }
    }

    deinit { scratch.deallocate() }

    /// A websocket upgrade request for `url` (default: the context's) with a fresh key, and the accept value the
    /// server must answer with. `extra` is added after `--header` lines.
    func upgradeRequest(url: TargetURL? = nil, extra: [String] = []) -> (request: [UInt8], accept: String) {
        let key = Upgrade.newKey()
        let target = (url ?? self.url).requestTarget
        return (Upgrade.request(target: target, host: hostHeader, key: key, extraHeaders: extraHeaders + extra),
                Upgrade.accept(forKey: key))
    }

    /// Starts a non-blocking connect. The connection advances on loop events only (never inside this call), so the
    /// delegate is never called back before the caller has recorded the connection.
    /// - Parameters:
    ///   - request: the upgrade request; empty for a plain HTTP connection, opened as soon as TLS is up.
    ///   - accept: the expected `Sec-WebSocket-Accept`; nil skips the check.
    ///   - endpoint: default: the benchmark's target (`revoke` also calls curfew's admin API).
    func connect(
        index: Int, delegate: ClientConnDelegate, request: [UInt8], accept: String?, endpoint: Endpoint? = nil
    ) -> Result<ClientConn, BenchFailure> {
        let endpoint = endpoint ?? target
        let fd: Int32
        do {
            fd = try Socket.connect(to: endpoint.address).fd
        } catch {
            return .failure(BenchFailure("\(error)"))
        }
        let conn = ClientConn(
            index: index, fd: fd, context: self, delegate: delegate, request: request, accept: accept,
            tls: endpoint.tls, serverName: endpoint.serverName)
        do {
            try loop.register(fd: fd, handler: conn)
        } catch {
            closeFileDescriptor(fd)
            return .failure(BenchFailure("\(error)"))
        }
        return .success(conn)
    }

    /// Runs the loop until `deadline` (monotonic ns), a stop signal, or `step(now)` returning false. `step` runs at
    /// least every `wakeMs` milliseconds. Bounded in time by construction.
    func drive(until deadline: Int64, wakeMs: Int32 = 10, _ step: (Int64) -> Bool) {
        while !stop.isRaised {
            let now = Clock.now()
            if now >= deadline || !step(now) { return }
            let left = (deadline - now + 999_999) / 1_000_000
            loop.runOnce(timeoutMilliseconds: Int32(clamping: Swift.min(Int64(wakeMs), Swift.max(left, 0))))
        }
    }
}
