#if canImport(Glibc)
import Glibc
#endif

/// One client connection of the demo gateway, served on its own thread with blocking reads and writes.
///
/// Plain requests are answered with keep-alive until the client closes or asks to; a `_blipsync` upgrade
/// hands the connection to `DemoWebSocketEcho` for the rest of its life.
struct DemoGatewayConnection {
    /// A request head larger than this is refused: the demo has no business with big headers.
    static let maxHeadBytes = 16 * 1024
    /// Request bodies are read and dropped (none of the demo routes takes one), up to this size.
    static let maxBodyBytes = 1024 * 1024

    let fd: Int32
    let gateway: DemoGateway
    /// Bytes read but not consumed yet (pipelined requests, or websocket frames after the handshake).
    var buffer: [UInt8] = []

    init(fd: Int32, gateway: DemoGateway) {
        self.fd = fd
        self.gateway = gateway
    }

    mutating func run() {
        while let request = readRequest() {
            let keepAlive = request.keepAlive
            switch route(request) {
            case .respond(let status, let json):
                let head = request.method == "HEAD"
                guard write(DemoResponse.json(status: status, body: json, keepAlive: keepAlive, omitBody: head)) else {
                    return
                }
                if !keepAlive { return }
            case .upgrade(let response, subprotocol: _):
                guard write(response) else { return }
                var echo = DemoWebSocketEcho(fd: fd, gateway: gateway, buffer: buffer)
                echo.run()
                return
            case .badRequestClose(let json):
                _ = write(DemoResponse.json(status: 400, body: json, keepAlive: false, omitBody: false))
                return
            }
        }
    }

    // MARK: - Routing

    enum Outcome {
        case respond(status: Int, json: String)
        case upgrade(response: [UInt8], subprotocol: String)
        case badRequestClose(json: String)
    }

    func route(_ request: DemoRequest) -> Outcome {
        let path = request.path
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let isRead = request.method == "GET" || request.method == "HEAD"
        if path == "/", isRead {
            return .respond(
                status: 200, json: #"{"couchdb":"Welcome","vendor":{"name":"curfew demo gateway"},"version":"demo"}"#)
        }
        if let db = segments.first, Self.isDatabaseName(db) {
            let rest = Array(segments.dropFirst())
            if isRead, rest.isEmpty || rest == [""] {
                let sequence = gateway.updateSequence.load(ordering: .relaxed)
                return .respond(
                    status: 200,
                    json: #"{"db_name":"\#(db)","state":"Online","update_seq":\#(sequence),"#
                        + #""instance_start_time":\#(gateway.instanceStartTime)}"#)
            }
            if request.method == "GET", rest == ["_blipsync"] {
                return DemoWebSocketHandshake.answer(request)
            }
        }
        return .respond(status: 404, json: #"{"error":"not_found","reason":"no such route in the curfew demo gateway"}"#)
    }

    /// SG database names: lowercase letters, digits and `_$()+-`, starting with a letter (so never `_all_dbs`
    /// style endpoints). Checked here so that the name can be echoed into JSON without escaping.
    static func isDatabaseName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || "_$()+-".utf8.contains(byte)
        }
    }

    // MARK: - Reading requests

    /// Reads one request head (and discards its body). Nil when the client closed or sent garbage, after
    /// answering garbage with a 400.
    mutating func readRequest() -> DemoRequest? {
        var searchFrom = 0
        while true {
            if let end = Self.headEnd(in: buffer, from: searchFrom) {
                let head = Array(buffer[0..<end])
                buffer.removeFirst(end + 4)
                guard let request = DemoRequest(head: head) else {
                    _ = write(DemoResponse.json(status: 400, body: #"{"error":"Bad Request","reason":"malformed request"}"#, keepAlive: false, omitBody: false))
                    return nil
                }
                guard request.contentLength <= Self.maxBodyBytes, !request.chunked else {
                    _ = write(DemoResponse.json(status: 413, body: #"{"error":"Bad Request","reason":"the demo gateway takes no request bodies"}"#, keepAlive: false, omitBody: false))
                    return nil
                }
                guard discard(request.contentLength) else { return nil }
                return request
            }
            if buffer.count > Self.maxHeadBytes {
                _ = write(DemoResponse.json(status: 431, body: #"{"error":"Bad Request","reason":"request head too large"}"#, keepAlive: false, omitBody: false))
                return nil
            }
            searchFrom = max(0, buffer.count - 3)
            guard fill() else { return nil }
        }
    }

    static func headEnd(in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = start
        while index + 4 <= bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    private mutating func discard(_ count: Int) -> Bool {
        while buffer.count < count { guard fill() else { return false } }
        buffer.removeFirst(count)
        return true
    }

    /// Appends whatever the socket has; false on EOF or error.
    mutating func fill() -> Bool {
        DemoSocket.read(fd, into: &buffer)
    }

    func write(_ bytes: [UInt8]) -> Bool {
        DemoSocket.writeAll(fd, bytes)
    }
}

/// Blocking socket helpers for the demo gateway.
enum DemoSocket {
    /// Appends up to 64 KiB; false on EOF or error.
    static func read(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n < 0, errno == EINTR { continue }
            return false
        }
    }

    /// Writes everything; MSG_NOSIGNAL so a vanished peer is an error, not a SIGPIPE.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
