import CurfewTLS

#if canImport(Glibc)
import Glibc
#endif

/// The built-in client of `curfew demo`: it plays a Couchbase Lite app whose token lapses, so a newcomer watches
/// the whole point of curfew without writing a line of code:
///
/// 1. the app logs in (a JWT valid for `tokenLifetime` seconds) and opens a replication through curfew;
/// 2. it syncs a message a second (the demo gateway echoes it);
/// 3. at the token's `exp` curfew cuts it: close code 4001, reason `curfew: credential_expired`, and a `cut` log line;
/// 4. Couchbase Lite retries after 4001, with the same token, and curfew answers `401`;
/// 5. on that 401 Couchbase Lite stops for good and the app logs in again: the next cycle begins.
///
/// Demo only: blocking sockets on one thread of its own, lines on stderr prefixed `demo client:`.
struct DemoClient: Sendable {
    let port: UInt16
    let issuer: DemoTokenIssuer
    let tokenLifetime: Int64

    func start() { DemoThread.spawn { [self] in run() } }

    private func run() {
        let context: TLSClientContext
        do {
            // The demo's certificate is made in memory by this very process (`self_signed`), so there is nothing
            // to verify it against; a real client verifies (CBL pins or trusts the CA).
            context = try TLSClientContext(caFile: nil, verifyPeer: false)
        } catch {
            return say("cannot create a TLS client context: \(error)")
        }
        var cycle = 1
        while true {
            let jti = "demo-\(cycle)"
            let token = issuer.token(jti: jti, nowSeconds: WallClockSeconds.now(), lifetime: tokenLifetime)
            say("cycle \(cycle): the app logs in as \(DemoTokenIssuer.user); its token (jti \(jti)) expires in \(tokenLifetime) s")
            switch DemoReplication.open(port: port, context: context, token: token) {
            case .failed(let why):
                say("cannot reach curfew (\(why)); trying again in 2 s")
                sleep(2)
                continue
            case .refused(let status, let reason):
                say("unexpected HTTP \(status) (\(reason)) for a fresh token; trying again in 2 s")
                sleep(2)
                continue
            case .opened(var replication):
                say("replication open (\(replication.subprotocol)); syncing one message a second")
                let end = replication.syncUntilClosed()
                replication.close()
                switch end {
                case .closeFrame(let code, let reason):
                    say("curfew cut the replication: close \(code) \"\(reason)\"; Couchbase Lite retries after 4001")
                case .dropped:
                    say("the connection was dropped (TCP); Couchbase Lite retries")
                }
            }
            sleep(1)
            switch DemoReplication.open(port: port, context: context, token: token) {
            case .refused(let status, let reason):
                say("retry with the same token: HTTP \(status) (\(reason)); Couchbase Lite stops, the app must log in again")
            case .opened(let replication):
                replication.close()
                say("retry with the same token was let in: curfew should have refused it")
            case .failed(let why):
                say("retry failed (\(why))")
            }
            cycle += 1
            sleep(2)
        }
    }

    private func say(_ line: String) {
        let bytes = Array("demo client: \(line)\n".utf8)
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}

/// Whole seconds of wall-clock time, as JWT claims count them.
enum WallClockSeconds {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }
}

/// One websocket replication of the demo client, over TLS on a blocking socket.
struct DemoReplication {
    enum Opening {
        case opened(DemoReplication)
        case refused(status: Int, reason: String)
        case failed(String)
    }

    enum End {
        case closeFrame(code: Int, reason: String)
        case dropped
    }

    private var stream: DemoTLSStream
    let subprotocol: String
    private var buffer: [UInt8] = []

    private init(stream: DemoTLSStream, subprotocol: String, leftover: [UInt8]) {
        self.stream = stream
        self.subprotocol = subprotocol
        buffer = leftover
    }

    /// Connects, sends the upgrade request as Couchbase Lite does (Bearer token, BLIP subprotocols) and reads the
    /// answer: a 101 opens the replication; anything else is a refusal with curfew's `reason`.
    static func open(port: UInt16, context: TLSClientContext, token: String) -> Opening {
        let stream: DemoTLSStream
        switch DemoTLSStream.connect(port: port, context: context) {
        case .failure(let why): return .failed(why.description)
        case .success(let connected): stream = connected
        }
        let key = Base64.encode(SecureRandom.bytes(16))
        let request =
            "GET /db/_blipsync HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: \(key)\r\n"
            + "Sec-WebSocket-Protocol: BLIP_3+CBMobile_3,BLIP_3+CBMobile_2\r\n"
            + "Authorization: Bearer \(token)\r\nUser-Agent: curfew-demo-client\r\n\r\n"
        guard stream.writeAll(Array(request.utf8)) else {
            stream.close()
            return .failed("cannot send the upgrade request")
        }
        var bytes: [UInt8] = []
        var headEnd: Int?
        while headEnd == nil {
            guard bytes.count < 65536, stream.read(into: &bytes) else {
                stream.close()
                return .failed("no answer to the upgrade request")
            }
            headEnd = DemoHTTPAnswer.headEnd(bytes)
        }
        let head = String(decoding: bytes[0..<headEnd!], as: UTF8.self)
        let status = DemoHTTPAnswer.status(head)
        if status == 101 {
            let subprotocol = DemoHTTPAnswer.header("sec-websocket-protocol", in: head) ?? "no subprotocol"
            return .opened(DemoReplication(stream: stream, subprotocol: subprotocol, leftover: Array(bytes[headEnd!...])))
        }
        // curfew's refusals carry a Content-Length; read the JSON body for its "reason".
        let length = DemoHTTPAnswer.header("content-length", in: head).flatMap { Int($0) } ?? 0
        while bytes.count - headEnd! < min(length, 4096), stream.read(into: &bytes) {}
        stream.close()
        let body = String(decoding: bytes[headEnd!...], as: UTF8.self)
        return .refused(status: status, reason: DemoHTTPAnswer.jsonString("reason", in: body) ?? "no reason")
    }

    /// Sends a message a second and reads its echo, until curfew (or anyone) closes the replication.
    mutating func syncUntilClosed() -> End {
        var sequence = 0
        while true {
            switch DemoClientFrame.parse(buffer) {
            case .frame(let opcode, let payload, let consumed):
                buffer.removeFirst(consumed)
                if opcode == 0x8 {
                    let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : 1005
                    let reason = String(decoding: payload.dropFirst(2), as: UTF8.self)
                    // Answer the close as RFC 6455 asks; curfew no longer forwards anything, so this is courtesy.
                    _ = stream.writeAll(DemoClientFrame.masked(opcode: 0x8, payload: Array(payload.prefix(2))))
                    return .closeFrame(code: code, reason: reason)
                }
                continue
            case .invalid:
                return .dropped
            case .needMore:
                break
            }
            if stream.waitReadable(milliseconds: 1000) {
                guard stream.read(into: &buffer) else { return .dropped }
                continue
            }
            sequence += 1
            guard stream.writeAll(DemoClientFrame.masked(opcode: 0x2, payload: Array("rev \(sequence)".utf8))) else {
                return .dropped
            }
        }
    }

    func close() { stream.close() }
}

/// Frames as a client sees them: the server's are unmasked, the client's must be masked (RFC 6455 5.1).
enum DemoClientFrame {
    enum Parse {
        case needMore
        case frame(opcode: UInt8, payload: [UInt8], consumed: Int)
        case invalid
    }

    static func parse(_ bytes: [UInt8]) -> Parse {
        guard bytes.count >= 2 else { return .needMore }
        guard bytes[1] & 0x80 == 0 else { return .invalid }  // servers never mask
        var length = Int(bytes[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return .needMore }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            return .invalid  // the demo gateway echoes only our small messages
        }
        guard bytes.count >= offset + length else { return .needMore }
        return .frame(opcode: bytes[0] & 0x0F, payload: Array(bytes[offset..<offset + length]), consumed: offset + length)
    }

    /// A final frame of at most 125 bytes with a fresh mask.
    static func masked(opcode: UInt8, payload: [UInt8]) -> [UInt8] {
        precondition(payload.count <= 125, "demo frames are small")
        let mask = SecureRandom.bytes(4)
        var out: [UInt8] = [0x80 | opcode, 0x80 | UInt8(payload.count)] + mask
        for (index, byte) in payload.enumerated() { out.append(byte ^ mask[index & 3]) }
        return out
    }
}

/// Just enough HTTP/1.1 response reading for the demo client.
enum DemoHTTPAnswer {
    /// The index just past `\r\n\r\n`, or nil.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count
        where bytes[index - 3] == 13 && bytes[index - 2] == 10 && bytes[index - 1] == 13 && bytes[index] == 10 {
            return index + 1
        }
        return nil
    }

    static func status(_ head: String) -> Int {
        let fields = head.split(separator: " ", maxSplits: 2)
        return fields.count >= 2 ? Int(fields[1]) ?? 0 : 0
    }

    static func header(_ name: String, in head: String) -> String? {
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name else { continue }
            return String(line[line.index(after: colon)...].drop { $0 == " " })
        }
        return nil
    }

    /// The string value of `"key":"…"` in a flat JSON object (curfew's refusal bodies), without unescaping.
    static func jsonString(_ key: String, in body: String) -> String? {
        // No Foundation here (so no `range(of:)`): a byte search is enough for curfew's own flat bodies.
        let needle = Array("\"\(key)\":\"".utf8)
        let bytes = Array(body.utf8)
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<start + needle.count].elementsEqual(needle) {
            let rest = bytes[(start + needle.count)...]
            return rest.firstIndex(of: UInt8(ascii: "\"")).map { String(decoding: rest[..<$0], as: UTF8.self) }
        }
        return nil
    }
}

/// A TLS client connection on a blocking socket to 127.0.0.1.
struct DemoTLSStream {
    let fd: Int32
    let tls: TLSConnection

    static func connect(port: UInt16, context: TLSClientContext) -> Result<DemoTLSStream, DemoConnectError> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(DemoConnectError("socket: errno \(errno)")) }
        // A blocked read must not hang the demo forever if something goes wrong.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            return .failure(DemoConnectError("connect: errno \(code)"))
        }
        do {
            let tls = try TLSConnection(client: context, fd: fd, serverName: "localhost")
            // A blocking socket finishes the handshake in one call unless it fails.
            guard case .complete = tls.handshake() else {
                Glibc.close(fd)
                return .failure(DemoConnectError("TLS handshake failed"))
            }
            return .success(DemoTLSStream(fd: fd, tls: tls))
        } catch {
            Glibc.close(fd)
            return .failure(DemoConnectError("TLS: \(error)"))
        }
    }

    func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                guard case .bytes(let n) = tls.write(UnsafeRawBufferPointer(rebasing: raw[offset...])) else {
                    return false
                }
                offset += n
            }
            return true
        }
    }

    /// Appends what one read gives; false on EOF, error or timeout.
    func read(into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let result = chunk.withUnsafeMutableBytes { tls.read(into: $0) }
        guard case .bytes(let n) = result, n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// True when a read would not block (decrypted bytes already held count).
    func waitReadable(milliseconds: Int32) -> Bool {
        if tls.hasBufferedPlaintext { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    func close() {
        tls.shutdown()
        Glibc.close(fd)
    }
}

struct DemoConnectError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
