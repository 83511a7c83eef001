/// The header of the frame being read.
struct FrameHeader {
    var fin = true
    var opcode: UInt8 = 0
    var masked = false
    /// The masking key as loaded from the wire in memory order (byte 0 in the low byte on little-endian).
    var maskKey: UInt32 = 0
    var length: UInt64 = 0
    var reservedBits = false
    /// How many bytes the header took on the wire (2...14).
    var headerLength = 0
}

/// What `FrameParser.next` found.
enum FrameEvent {
    /// A header is complete: read it from `parser.header`. A zero-length frame is followed by `.end` at once.
    case header
    /// `count` payload bytes at `start` in the buffer, `offset` bytes into the frame's payload (still masked if the
    /// frame is).
    case payload(start: Int, count: Int, offset: UInt64)
    /// The frame's last payload byte has been delivered.
    case end
    /// Every byte of the buffer is consumed.
    case needMore
    case protocolError(String)
}

/// An incremental websocket frame reader that never copies a payload: it hands out ranges of the caller's buffer,
/// so 64 KiB frames cost a header parse each, whatever the read sizes. Allocation-free; a header split across
/// reads is kept in 16 inline bytes.
struct FrameParser {
    private(set) var header = FrameHeader()
    private var raw: (UInt64, UInt64) = (0, 0)
    private var have = 0
    private var remaining: UInt64 = 0
    private var offset: UInt64 = 0
    private var inPayload = false

    /// Payload bytes of the current frame not yet delivered (0 between frames).
    var payloadRemaining: UInt64 { inPayload ? remaining : 0 }

    /// Accounts for `n` payload bytes the caller discarded without reading them (recv with MSG_TRUNC); at most
    /// `payloadRemaining`. The frame's `.end` still comes from `next`.
    mutating func skipPayload(_ n: Int) {
        remaining -= UInt64(n)
        offset += UInt64(n)
    }

    /// True between frames: a control frame of our own may be sent now without splitting a data frame.
    var atFrameBoundary: Bool { (!inPayload || remaining == 0) && have == 0 }

    mutating func next(_ buf: UnsafeRawBufferPointer, _ pos: inout Int) -> FrameEvent {
        if inPayload {
            if remaining == 0 {
                inPayload = false
                return .end
            }
            let available = buf.count - pos
            if available <= 0 { return .needMore }
            let n = available < remaining ? available : Int(remaining)
            let start = pos
            let at = offset
            pos += n
            remaining -= UInt64(n)
            offset += UInt64(n)
            return .payload(start: start, count: n, offset: at)
        }
        // Gather the header (2 to 14 bytes) into the inline storage; it may arrive a byte at a time.
        var local = raw
        var got = have
        let complete = withUnsafeMutableBytes(of: &local) { hdr -> Bool in
            while true {
                let need = Self.headerLength(hdr[0], hdr[1], have: got)
                if got >= need { return true }
                guard pos < buf.count else { return false }
                let take = Swift.min(need - got, buf.count - pos)
                for k in 0..<take { hdr[got + k] = buf[pos + k] }
                got += take
                pos += take
            }
        }
        raw = local
        have = complete ? 0 : got
        guard complete else { return .needMore }
        let h = withUnsafeBytes(of: &local) { Self.decode($0) }
        if h.fin == false && Opcode.isControl(h.opcode) { return .protocolError("fragmented control frame") }
        if h.reservedBits { return .protocolError("reserved bits set") }
        if h.length >> 63 != 0 { return .protocolError("64-bit length with the top bit set") }
        if Opcode.isControl(h.opcode) && h.length > 125 { return .protocolError("control frame longer than 125 bytes") }
        if (h.opcode > 2 && h.opcode < 8) || h.opcode > 0xA { return .protocolError("reserved opcode \(h.opcode)") }
        header = h
        remaining = h.length
        offset = 0
        inPayload = true
        return .header
    }

    private static func decode(_ hdr: UnsafeRawBufferPointer) -> FrameHeader {
        let b0 = hdr[0]
        let b1 = hdr[1]
        var h = FrameHeader()
        h.fin = b0 & 0x80 != 0
        h.reservedBits = b0 & 0x70 != 0
        h.opcode = b0 & 0x0F
        h.masked = b1 & 0x80 != 0
        let len7 = b1 & 0x7F
        var at = 2
        if len7 == 126 {
            h.length = UInt64(hdr[2]) << 8 | UInt64(hdr[3])
            at = 4
        } else if len7 == 127 {
            var v: UInt64 = 0
            for k in 2..<10 { v = v << 8 | UInt64(hdr[k]) }
            h.length = v
            at = 10
        } else {
            h.length = UInt64(len7)
        }
        if h.masked {
            h.maskKey = hdr.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            at += 4
        }
        h.headerLength = at
        return h
    }

    /// Bytes the header needs, given the `have` bytes seen so far (2 until the length byte is known).
    private static func headerLength(_ b0: UInt8, _ b1: UInt8, have: Int) -> Int {
        guard have >= 2 else { return 2 }
        let len7 = b1 & 0x7F
        let ext = len7 == 126 ? 2 : (len7 == 127 ? 8 : 0)
        return 2 + ext + (b1 & 0x80 != 0 ? 4 : 0)
    }
}
