import CurfewHTTP
import Testing

/// Builds one frame: the header with the shortest length encoding, then `payload` (masked with `mask` if given).
func frame(
    fin: Bool = true, rsv: UInt8 = 0, opcode: UInt8, mask: [UInt8]? = nil, payload: [UInt8]
) -> [UInt8] {
    var out: [UInt8] = [(fin ? 0x80 : 0) | rsv << 4 | opcode]
    let maskBit: UInt8 = mask == nil ? 0 : 0x80
    let n = payload.count
    if n <= 125 {
        out.append(maskBit | UInt8(n))
    } else if n <= 0xFFFF {
        out.append(maskBit | 126)
        out += [UInt8(n >> 8), UInt8(n & 0xFF)]
    } else {
        out.append(maskBit | 127)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(n) >> UInt64(shift)) & 0xFF)) }
    }
    if let mask {
        out += mask
        out += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    } else {
        out += payload
    }
    return out
}

/// What a tracker observed after a whole stream.
struct Observed: Equatable {
    var result: WebSocketTrackResult
    var frames: UInt64
    var closeSeen: Bool
    var closeCode: UInt16?
    var atBoundary: Bool
}

func observe(_ direction: WebSocketFrameTracker.Direction, _ chunks: [[UInt8]]) -> Observed {
    var tracker = WebSocketFrameTracker(direction: direction)
    var result = WebSocketTrackResult.ok
    for chunk in chunks {
        result = chunk.withUnsafeBytes { tracker.consume($0) }
        if result != .ok { break }
    }
    return Observed(
        result: result, frames: tracker.framesCompleted, closeSeen: tracker.closeFrameSeen,
        closeCode: tracker.closeCode, atBoundary: tracker.isAtFrameBoundary)
}

@Suite struct WebSocketFrameTrackerTests {
    let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

    @Test(arguments: [0, 1, 125, 126, 127, 65535, 65536])
    func lengthEncodingsMaskedAndUnmasked(length: Int) {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let client = frame(opcode: 0x2, mask: key, payload: payload) + frame(opcode: 0x9, mask: key, payload: [])
        let fromClient = dripFeed(client, byteByByteLimit: 70_000) { observe(.clientToServer, $0) }
        #expect(fromClient == Observed(result: .ok, frames: 2, closeSeen: false, closeCode: nil, atBoundary: true))
        let server = frame(opcode: 0x1, payload: payload)
        let fromServer = dripFeed(server, byteByByteLimit: 70_000) { observe(.serverToClient, $0) }
        #expect(fromServer == Observed(result: .ok, frames: 1, closeSeen: false, closeCode: nil, atBoundary: true))
    }

    @Test func fourMebibytePayload() {
        let payload = [UInt8](repeating: 0xAB, count: 4 << 20)
        let bytes = frame(opcode: 0x2, mask: key, payload: payload)
        #expect(bytes[1] == 0x80 | 127)
        let observed = dripFeed(bytes, byteByByteLimit: 0) { observe(.clientToServer, $0) }
        #expect(observed == Observed(result: .ok, frames: 1, closeSeen: false, closeCode: nil, atBoundary: true))
    }

    @Test func boundaryFlagMidHeaderAndMidPayload() {
        var tracker = WebSocketFrameTracker(direction: .serverToClient)
        #expect(tracker.isAtFrameBoundary)
        let bytes = frame(opcode: 0x2, payload: [UInt8](repeating: 1, count: 300))
        // Header split: 2 of its 4 bytes.
        #expect(bytes[0..<2].withUnsafeBytes { tracker.consume($0) } == .ok)
        #expect(!tracker.isAtFrameBoundary)
        #expect(bytes[2..<100].withUnsafeBytes { tracker.consume($0) } == .ok)
        #expect(!tracker.isAtFrameBoundary)
        #expect(tracker.framesCompleted == 0)
        #expect(bytes[100...].withUnsafeBytes { tracker.consume($0) } == .ok)
        #expect(tracker.isAtFrameBoundary)
        #expect(tracker.framesCompleted == 1)
    }

    @Test func fragmentedMessageWithInterleavedPing() {
        let stream =
            frame(fin: false, opcode: 0x1, mask: key, payload: Array("Hel".utf8))
            + frame(opcode: 0x9, mask: key, payload: Array("ping".utf8))
            + frame(fin: false, opcode: 0x0, mask: key, payload: Array("lo, ".utf8))
            + frame(opcode: 0xA, mask: key, payload: [])
            + frame(opcode: 0x0, mask: key, payload: Array("world".utf8))
            // A new message may start once the last continuation had FIN.
            + frame(opcode: 0x2, mask: key, payload: [1, 2, 3])
        let observed = dripFeed(stream) { observe(.clientToServer, $0) }
        #expect(observed == Observed(result: .ok, frames: 6, closeSeen: false, closeCode: nil, atBoundary: true))
    }

    @Test func closeCodeIsExtractedMaskedAndUnmasked() {
        let masked = frame(opcode: 0x2, mask: key, payload: [9]) + WebSocketCloseFrame.make(code: 1008, reason: "token expired", maskKey: key)
        let fromClient = dripFeed(masked) { observe(.clientToServer, $0) }
        #expect(fromClient == Observed(result: .ok, frames: 2, closeSeen: true, closeCode: 1008, atBoundary: true))
        let unmasked = frame(opcode: 0x8, payload: [0x0F, 0xA0, 0x41])  // 4000, "A"
        let fromServer = dripFeed(unmasked) { observe(.serverToClient, $0) }
        #expect(fromServer == Observed(result: .ok, frames: 1, closeSeen: true, closeCode: 4000, atBoundary: true))
        let empty = frame(opcode: 0x8, payload: [])
        #expect(observe(.serverToClient, [empty]) == Observed(result: .ok, frames: 1, closeSeen: true, closeCode: nil, atBoundary: true))
    }

    @Test func closeCodeVisibleMidFrame() {
        var tracker = WebSocketFrameTracker(direction: .clientToServer)
        let bytes = WebSocketCloseFrame.make(code: 1000, reason: "bye", maskKey: key)
        // Header (6) + the two code bytes, not the reason yet.
        #expect(bytes[0..<8].withUnsafeBytes { tracker.consume($0) } == .ok)
        #expect(tracker.closeFrameSeen)
        #expect(tracker.closeCode == 1000)
        #expect(!tracker.isAtFrameBoundary)
        #expect(tracker.framesCompleted == 0)
    }

    @Test func firstCloseCodeWins() {
        let stream = frame(opcode: 0x8, payload: [0x03, 0xE8]) + frame(opcode: 0x8, payload: [0x03, 0xE9])
        #expect(observe(.serverToClient, [stream]).closeCode == 1000)
    }

    struct ErrorCase: Sendable {
        var name: String
        var direction: WebSocketFrameTracker.Direction
        var bytes: [UInt8]
        var error: WebSocketProtocolError
    }

    static let errors: [ErrorCase] = {
        let key: [UInt8] = [1, 2, 3, 4]
        let zeros126 = [UInt8](repeating: 0, count: 126)
        var c: [ErrorCase] = []
        func add(_ name: String, _ d: WebSocketFrameTracker.Direction, _ b: [UInt8], _ e: WebSocketProtocolError) {
            c.append(ErrorCase(name: name, direction: d, bytes: b, error: e))
        }
        add("unmasked client frame", .clientToServer, frame(opcode: 0x2, payload: [1]), .clientFrameNotMasked)
        add("masked server frame", .serverToClient, frame(opcode: 0x2, mask: key, payload: [1]), .serverFrameMasked)
        for opcode: UInt8 in [0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF] {
            add("opcode \(opcode)", .serverToClient, frame(opcode: opcode, payload: []), .reservedOpcode)
        }
        for rsv: UInt8 in [1, 2, 4, 7] {
            add("rsv \(rsv)", .serverToClient, frame(rsv: rsv, opcode: 0x1, payload: []), .reservedBitsSet)
        }
        add("64-bit length top bit", .serverToClient, [0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0], .lengthTopBitSet)
        add("ping of 126", .serverToClient, frame(opcode: 0x9, payload: zeros126), .controlFrameTooLong)
        add("pong of 126", .serverToClient, frame(opcode: 0xA, payload: zeros126), .controlFrameTooLong)
        add("close of 126", .clientToServer, frame(opcode: 0x8, mask: key, payload: zeros126), .controlFrameTooLong)
        add("fragmented ping", .serverToClient, frame(fin: false, opcode: 0x9, payload: []), .controlFrameFragmented)
        add("fragmented close", .serverToClient, frame(fin: false, opcode: 0x8, payload: []), .controlFrameFragmented)
        add("lone continuation", .serverToClient, frame(opcode: 0x0, payload: [1]), .unexpectedContinuation)
        add(
            "continuation after complete message", .serverToClient,
            frame(opcode: 0x1, payload: [1]) + frame(opcode: 0x0, payload: [1]), .unexpectedContinuation)
        add(
            "text during fragmented binary", .serverToClient,
            frame(fin: false, opcode: 0x2, payload: [1]) + frame(opcode: 0x1, payload: [1]), .messageInterleaved)
        let pingBetween =
            frame(fin: false, opcode: 0x1, mask: key, payload: [1]) + frame(opcode: 0x9, mask: key, payload: [])
            + frame(opcode: 0x2, mask: key, payload: [1])
        add("binary during fragmented text, ping between", .clientToServer, pingBetween, .messageInterleaved)
        add("one-byte close payload", .serverToClient, frame(opcode: 0x8, payload: [3]), .closePayloadTooShort)
        return c
    }()

    @Test(arguments: errors.indices)
    func protocolErrors(index: Int) {
        let c = Self.errors[index]
        let observed = dripFeed(c.bytes) { observe(c.direction, $0) }
        #expect(observed.result == .protocolError(c.error), "\(c.name)")
        #expect(c.error.closeCode == 1002)
    }

    @Test func staysFailed() {
        var tracker = WebSocketFrameTracker(direction: .clientToServer)
        let bad = frame(opcode: 0x2, payload: [1])
        #expect(bad.withUnsafeBytes { tracker.consume($0) } == .protocolError(.clientFrameNotMasked))
        let good = frame(opcode: 0x2, mask: key, payload: [1])
        #expect(good.withUnsafeBytes { tracker.consume($0) } == .protocolError(.clientFrameNotMasked))
        #expect(tracker.error == .clientFrameNotMasked)
    }

    @Test func errorsTripAtTheOffendingHeaderByte() {
        // Only the first two bytes of an unmasked client frame that claims a huge payload.
        var tracker = WebSocketFrameTracker(direction: .clientToServer)
        #expect([UInt8]([0x82, 127]).withUnsafeBytes { tracker.consume($0) } == .protocolError(.clientFrameNotMasked))
        var reserved = WebSocketFrameTracker(direction: .serverToClient)
        #expect([UInt8]([0x83]).withUnsafeBytes { reserved.consume($0) } == .protocolError(.reservedOpcode))
    }
}
