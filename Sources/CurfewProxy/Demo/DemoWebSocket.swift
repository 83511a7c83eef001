import CurfewTLS

/// The RFC 6455 opening handshake for `GET /{db}/_blipsync`, the way Sync Gateway answers it.
enum DemoWebSocketHandshake {
    /// RFC 6455 section 1.3: appended to the client's key before hashing. RFC example: key
    /// `dGhlIHNhbXBsZSBub25jZQ==` gives `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=` (checked against the demo by hand).
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// SG supports CBMobile 2...4 and prefers the highest one offered (sg-facts.md, `db/blip_subprotocol.go`).
    static let supportedVersions = 2...4

    static func answer(_ request: DemoRequest) -> DemoGatewayConnection.Outcome {
        let upgrade = request.listValues("upgrade").contains { $0.lowercased() == "websocket" }
        let connection = request.listValues("connection").contains { $0.lowercased() == "upgrade" }
        guard upgrade, connection, request.value("sec-websocket-version") == "13",
            let key = request.value("sec-websocket-key"), !key.isEmpty
        else {
            return .badRequestClose(json: #"{"error":"Bad Request","reason":"not a websocket upgrade request"}"#)
        }
        // CBL fails a 101 without Sec-WebSocket-Protocol; SG refuses instead of upgrading without one.
        guard let subprotocol = pickSubprotocol(request.listValues("sec-websocket-protocol")) else {
            return .badRequestClose(json: #"{"error":"Bad Request","reason":"no supported BLIP subprotocol offered"}"#)
        }
        let response =
            "HTTP/1.1 101 Switching Protocols\r\n" + "Upgrade: websocket\r\n" + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(acceptValue(forKey: key))\r\n" + "Sec-WebSocket-Protocol: \(subprotocol)\r\n\r\n"
        return .upgrade(response: Array(response.utf8), subprotocol: subprotocol)
    }

    /// `base64(SHA-1(key + GUID))`.
    static func acceptValue(forKey key: String) -> String {
        Base64.encode(Digest.sha1(Array((key + acceptGUID).utf8)))
    }

    /// The highest `BLIP_3+CBMobile_N` offered with N in 2...4, or nil.
    static func pickSubprotocol(_ offered: [String]) -> String? {
        let versions = offered.compactMap { name -> Int? in
            guard name.hasPrefix("BLIP_3+CBMobile_"), let n = Int(name.dropFirst("BLIP_3+CBMobile_".count)),
                supportedVersions.contains(n)
            else { return nil }
            return n
        }
        return versions.max().map { "BLIP_3+CBMobile_\($0)" }
    }
}

/// After the handshake: echoes every data frame back (same opcode and FIN, unmasked), answers ping with
/// pong and close with close, then ends the connection. Fragmented messages are echoed frame by frame.
struct DemoWebSocketEcho {
    /// Frames larger than this end the connection with 1009 (message too big).
    static let maxFramePayload = 16 * 1024 * 1024

    let fd: Int32
    let gateway: DemoGateway
    var buffer: [UInt8]

    struct Frame {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]
    }

    enum Parse {
        case needMore
        case frame(Frame, consumed: Int)
        case fail(closeCode: UInt16)
    }

    mutating func run() {
        while true {
            switch Self.parse(buffer) {
            case .needMore:
                guard DemoSocket.read(fd, into: &buffer) else { return }
            case .fail(let code):
                _ = DemoSocket.writeAll(fd, Self.encode(fin: true, opcode: 0x8, payload: Self.closePayload(code)))
                return
            case .frame(let frame, let consumed):
                buffer.removeFirst(consumed)
                guard handle(frame) else { return }
            }
        }
    }

    /// Returns false when the connection is done.
    private func handle(_ frame: Frame) -> Bool {
        switch frame.opcode {
        case 0x0, 0x1, 0x2:
            if frame.fin { gateway.updateSequence.add(1, ordering: .relaxed) }
            return DemoSocket.writeAll(fd, Self.encode(fin: frame.fin, opcode: frame.opcode, payload: frame.payload))
        case 0x9:
            return DemoSocket.writeAll(fd, Self.encode(fin: true, opcode: 0xA, payload: frame.payload))
        case 0xA:
            return true
        case 0x8:
            // Echo the status code (RFC 6455 5.5.1); the reason text is not needed.
            let code = frame.payload.count >= 2 ? Array(frame.payload[0..<2]) : []
            _ = DemoSocket.writeAll(fd, Self.encode(fin: true, opcode: 0x8, payload: code))
            return false
        default:
            return false
        }
    }

    static func closePayload(_ code: UInt16) -> [UInt8] { [UInt8(code >> 8), UInt8(code & 0xFF)] }

    /// Sans-I/O frame parse of a client frame (RFC 6455 5.2). Limits are checked as soon as lengths are known.
    static func parse(_ bytes: [UInt8]) -> Parse {
        guard bytes.count >= 2 else { return .needMore }
        let fin = bytes[0] & 0x80 != 0
        let opcode = bytes[0] & 0x0F
        guard bytes[0] & 0x70 == 0 else { return .fail(closeCode: 1002) }  // no extension was negotiated
        guard [0x0, 0x1, 0x2, 0x8, 0x9, 0xA].contains(opcode) else { return .fail(closeCode: 1002) }
        guard bytes[1] & 0x80 != 0 else { return .fail(closeCode: 1002) }  // clients must mask
        var length = Int(bytes[1] & 0x7F)
        var offset = 2
        if opcode >= 0x8, length > 125 || !fin { return .fail(closeCode: 1002) }
        if length == 126 {
            guard bytes.count >= 4 else { return .needMore }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return .needMore }
            var wide: UInt64 = 0
            for index in 2..<10 { wide = wide << 8 | UInt64(bytes[index]) }
            guard wide <= UInt64(maxFramePayload) else { return .fail(closeCode: 1009) }
            length = Int(wide)
            offset = 10
        }
        guard length <= maxFramePayload else { return .fail(closeCode: 1009) }
        guard bytes.count >= offset + 4 + length else { return .needMore }
        let mask = bytes[offset..<offset + 4]
        let start = offset + 4
        var payload = [UInt8](repeating: 0, count: length)
        for index in 0..<length { payload[index] = bytes[start + index] ^ mask[mask.startIndex + index & 3] }
        return .frame(Frame(fin: fin, opcode: opcode, payload: payload), consumed: start + length)
    }

    /// A server frame: never masked (RFC 6455 5.1).
    static func encode(fin: Bool, opcode: UInt8, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        out.reserveCapacity(payload.count + 10)
        if payload.count < 126 {
            out.append(UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(payload.count) >> UInt64(shift)) & 0xFF)) }
        }
        return out + payload
    }
}
