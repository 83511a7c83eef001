import CurfewHTTP
import Testing

/// RSV1 is legal on data frames only when the handshake agreed `permessage-deflate` (RFC 7692 §6).
@Suite struct WebSocketExtensionBitsTests {
    let key: [UInt8] = [1, 2, 3, 4]

    private func consume(_ bytes: [UInt8], allowed: UInt8) -> WebSocketTrackResult {
        var tracker = WebSocketFrameTracker(direction: .clientToServer, allowedReservedBits: allowed)
        return bytes.withUnsafeBytes { tracker.consume($0) }
    }

    @Test func rsv1OnDataFrameAllowedOnlyWhenNegotiated() {
        let compressed = frame(rsv: 0x4, opcode: 0x2, mask: key, payload: [9, 9, 9])
        #expect(consume(compressed, allowed: 0x40) == .ok)
        #expect(consume(compressed, allowed: 0) == .protocolError(.reservedBitsSet))
    }

    @Test func rsv1OnControlFrameIsAlwaysAnError() {
        let ping = frame(rsv: 0x4, opcode: 0x9, mask: key, payload: [])
        #expect(consume(ping, allowed: 0x40) == .protocolError(.reservedBitsSet))
    }

    @Test func otherReservedBitsStayErrors() {
        for rsv: UInt8 in [0x2, 0x1, 0x6] {
            let data = frame(rsv: rsv, opcode: 0x1, mask: key, payload: [1])
            #expect(consume(data, allowed: 0x40) == .protocolError(.reservedBitsSet))
        }
    }
}
