/// Frame headers and small control frames.
///
/// Client frames are masked with the all-zero key: RFC 6455 §5.3 requires a mask from clients but says nothing
/// against this key, and it makes masking free, so the client spends its time moving bytes rather than XOR-ing them.
enum FrameWriter {
    /// Largest header: 2 + 8 (64-bit length) + 4 (mask).
    static let maxHeaderLength = 14

    static func headerLength(payload: Int, masked: Bool) -> Int {
        (payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0)
    }

    /// Writes a header at `p` and returns its length. `masked` means the zero key.
    @discardableResult
    static func writeHeader(
        to p: UnsafeMutableRawPointer, opcode: UInt8, fin: Bool = true, payload: Int, masked: Bool
    ) -> Int {
        p.storeBytes(of: (fin ? 0x80 : 0) | opcode, as: UInt8.self)
        let m: UInt8 = masked ? 0x80 : 0
        var at: Int
        if payload < 126 {
            p.storeBytes(of: m | UInt8(payload), toByteOffset: 1, as: UInt8.self)
            at = 2
        } else if payload <= 0xFFFF {
            p.storeBytes(of: m | 126, toByteOffset: 1, as: UInt8.self)
            p.storeBytes(of: UInt16(payload).bigEndian, toByteOffset: 2, as: UInt16.self)
            at = 4
        } else {
            p.storeBytes(of: m | 127, toByteOffset: 1, as: UInt8.self)
            p.storeBytes(of: UInt64(payload).bigEndian, toByteOffset: 2, as: UInt64.self)
            at = 10
        }
        if masked {
            p.storeBytes(of: UInt32(0), toByteOffset: at, as: UInt32.self)
            at += 4
        }
        return at
    }

    /// A control frame (close, ping, pong) with `payload` (≤ 125 bytes), appended to `queue`.
    static func appendControl(
        to queue: ByteQueue, opcode: UInt8, payload: UnsafeRawBufferPointer, masked: Bool
    ) {
        let n = Swift.min(payload.count, 125)
        let p = queue.reserve(6 + n)
        let h = writeHeader(to: p, opcode: opcode, payload: n, masked: masked)
        if n > 0, let src = payload.baseAddress { (p + h).copyMemory(from: src, byteCount: n) }
        queue.commit(h + n)
    }

    /// A close frame with `code` (nil: no body), appended to `queue`.
    static func appendClose(to queue: ByteQueue, code: UInt16?, masked: Bool) {
        var be = (code ?? 1000).bigEndian
        withUnsafeBytes(of: &be) { body in
            appendControl(
                to: queue, opcode: Opcode.close,
                payload: code == nil ? UnsafeRawBufferPointer(start: nil, count: 0) : body, masked: masked)
        }
    }
}
