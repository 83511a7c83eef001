/// Close frames the proxy sends itself when it cuts a websocket (RFC 6455 §5.5.1).
public enum WebSocketCloseFrame {
    /// A complete close frame with `code` and as much of `reason` as fits.
    ///
    /// - Parameters:
    ///   - code: the close code (e.g. 1008 policy violation, 1002 protocol error).
    ///   - reason: UTF-8 text, truncated at a character boundary so the payload stays within 125 bytes.
    ///   - maskKey: nil for a frame to the client (servers must not mask); four bytes for a frame to the server
    ///     (clients must mask).
    public static func make(code: UInt16, reason: String, maskKey: [UInt8]?) -> [UInt8] {
        precondition(maskKey == nil || maskKey!.count == 4, "a mask key is four bytes")
        var payload: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        payload.append(contentsOf: truncatedUTF8(reason, maxBytes: 123))
        var frame: [UInt8] = [0x88, UInt8(payload.count) | (maskKey == nil ? 0 : 0x80)]
        if let maskKey {
            frame.append(contentsOf: maskKey)
            for i in payload.indices { payload[i] ^= maskKey[i & 3] }
        }
        frame.append(contentsOf: payload)
        return frame
    }

    /// The longest prefix of `s` in at most `maxBytes` UTF-8 bytes that ends on a character boundary.
    static func truncatedUTF8(_ s: String, maxBytes: Int) -> ArraySlice<UInt8> {
        let bytes = Array(s.utf8)
        guard bytes.count > maxBytes else { return bytes[...] }
        var end = maxBytes
        // Back up over continuation bytes (10xxxxxx) so no scalar is cut in half.
        while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return bytes[..<end]
    }
}
