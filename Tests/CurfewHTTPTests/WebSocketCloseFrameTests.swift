import CurfewHTTP
import Testing

@Suite struct WebSocketCloseFrameTests {
    @Test func unmaskedForClients() {
        let bytes = WebSocketCloseFrame.make(code: 1008, reason: "expired", maskKey: nil)
        #expect(bytes == [0x88, 9, 0x03, 0xF0] + Array("expired".utf8))
    }

    @Test func maskedForServers() {
        let key: [UInt8] = [0xA1, 0xB2, 0xC3, 0xD4]
        let bytes = WebSocketCloseFrame.make(code: 1000, reason: "ok", maskKey: key)
        #expect(bytes.count == 2 + 4 + 4)
        #expect(bytes[0] == 0x88)
        #expect(bytes[1] == 0x80 | 4)
        #expect(Array(bytes[2..<6]) == key)
        let unmasked = bytes[6...].enumerated().map { $0.element ^ key[$0.offset & 3] }
        #expect(unmasked == [0x03, 0xE8] + Array("ok".utf8))
    }

    @Test func reasonTruncatedAtCharacterBoundary() {
        // 61 two-byte characters (122 bytes) then a three-byte one: the last does not fit in 123 bytes.
        let reason = String(repeating: "\u{E9}", count: 61) + "\u{20AC}"
        let bytes = WebSocketCloseFrame.make(code: 1001, reason: reason, maskKey: nil)
        let payload = Array(bytes[2...])
        #expect(Int(bytes[1]) == payload.count)
        #expect(payload.count == 2 + 122)
        #expect(String(validating: payload[2...], as: UTF8.self) == String(repeating: "\u{E9}", count: 61))

        let ascii = WebSocketCloseFrame.make(code: 1001, reason: String(repeating: "x", count: 300), maskKey: nil)
        #expect(ascii[1] == 125)
        #expect(ascii.count == 127)
    }

    @Test func trackerReadsWhatWeWrite() {
        let key: [UInt8] = [9, 8, 7, 6]
        var tracker = WebSocketFrameTracker(direction: .clientToServer)
        let bytes = WebSocketCloseFrame.make(code: 4001, reason: String(repeating: "r", count: 500), maskKey: key)
        #expect(bytes.withUnsafeBytes { tracker.consume($0) } == .ok)
        #expect(tracker.closeCode == 4001)
        #expect(tracker.isAtFrameBoundary)
    }
}
