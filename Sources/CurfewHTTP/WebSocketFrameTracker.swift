/// What one call to `WebSocketFrameTracker.consume` found.
public enum WebSocketTrackResult: Sendable, Equatable {
    case ok
    case protocolError(WebSocketProtocolError)
}

/// Follows websocket frame boundaries in one direction of a spliced connection by reading frame headers only
/// (RFC 6455 §5.2). Payload bytes are skipped, never buffered or unmasked — except the first two bytes of a close
/// frame's payload, which carry the close code.
///
/// Header bytes may arrive split across calls: at most the 14 bytes of one header are kept.
/// After a protocol error the tracker stays failed.
public struct WebSocketFrameTracker: Sendable {
    /// Which peer sends the frames: clients must mask, servers must not (RFC 6455 §5.1).
    public enum Direction: Sendable, Equatable {
        case clientToServer
        case serverToClient
    }

    public let direction: Direction

    /// Frames whose header and payload have fully passed.
    public private(set) var framesCompleted: UInt64 = 0
    /// Whether a close frame's header has passed.
    public private(set) var closeFrameSeen = false
    /// The code of the first close frame, once its first two payload bytes have passed (nil for an empty close).
    public private(set) var closeCode: UInt16?
    /// The error that failed the tracker, if any.
    public private(set) var error: WebSocketProtocolError?

    // Header being read: 2 fixed bytes, then 0/2/8 length bytes, then 0/4 mask bytes.
    private var headerBytesRead = 0
    private var headerLength = 2
    private var byte0: UInt8 = 0
    private var byte1: UInt8 = 0
    private var payloadLength: UInt64 = 0
    private var maskKey: UInt32 = 0
    // Payload being skipped.
    private var inPayload = false
    private var payloadRemaining: UInt64 = 0
    private var payloadOffset: UInt64 = 0
    private var currentIsClose = false
    private var closeCodeHigh: UInt8 = 0
    /// A text or binary message was started without FIN and its final continuation has not arrived.
    private var messageInProgress = false

    /// RSV bits an agreed extension may set on data frames: RSV1 (0x40) when the 101 accepted
    /// `permessage-deflate` (RFC 7692 §6). Zero otherwise, so any reserved bit is a protocol error.
    public var allowedReservedBits: UInt8 = 0

    public init(direction: Direction, allowedReservedBits: UInt8 = 0) {
        self.direction = direction
        self.allowedReservedBits = allowedReservedBits & 0x70
    }

    /// Whether the stream sits between two frames: no header or payload byte of a frame is pending.
    /// The proxy may inject its own frame (a close) only here.
    public var isAtFrameBoundary: Bool { !inPayload && headerBytesRead == 0 }

    /// Tracks the next bytes of this direction.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> WebSocketTrackResult {
        if let error { return .protocolError(error) }
        let p = bytes.bindMemory(to: UInt8.self)
        let n = p.count
        var i = 0
        while i < n {
            if inPayload {
                // Skip payload in bulk; only a close frame's first two bytes are looked at.
                if currentIsClose && payloadOffset < 2 {
                    let b = p[i] ^ maskByte(Int(payloadOffset))
                    if payloadOffset == 0 {
                        closeCodeHigh = b
                    } else if closeCode == nil {
                        closeCode = UInt16(closeCodeHigh) << 8 | UInt16(b)
                    }
                    payloadOffset += 1
                    payloadRemaining -= 1
                    i += 1
                } else {
                    let take = Int(min(payloadRemaining, UInt64(n - i)))
                    i += take
                    payloadOffset += UInt64(take)
                    payloadRemaining -= UInt64(take)
                }
                if payloadRemaining == 0 { finishFrame() }
                continue
            }
            let b = p[i]
            i += 1
            if let failure = headerByte(b) {
                error = failure
                return .protocolError(failure)
            }
        }
        return .ok
    }

    /// The byte of the mask key that applies at payload offset `offset` (0 when unmasked).
    private func maskByte(_ offset: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: maskKey >> (24 - 8 * (offset & 3)))
    }

    /// Takes one header byte; checks each rule as soon as the bytes it needs have arrived.
    private mutating func headerByte(_ b: UInt8) -> WebSocketProtocolError? {
        let index = headerBytesRead
        headerBytesRead += 1
        switch index {
        case 0:
            byte0 = b
            let fin = b & 0x80 != 0
            let opcode = b & 0x0F
            let reserved = b & 0x70
            let isData = opcode == 0x1 || opcode == 0x2
            if reserved != 0 && (!isData || reserved & ~allowedReservedBits != 0) { return .reservedBitsSet }
            switch opcode {
            case 0x0:
                if !messageInProgress { return .unexpectedContinuation }
            case 0x1, 0x2:
                if messageInProgress { return .messageInterleaved }
            case 0x8, 0x9, 0xA:
                if !fin { return .controlFrameFragmented }
            default:
                return .reservedOpcode
            }
        case 1:
            byte1 = b
            let masked = b & 0x80 != 0
            if direction == .clientToServer && !masked { return .clientFrameNotMasked }
            if direction == .serverToClient && masked { return .serverFrameMasked }
            let length7 = b & 0x7F
            if byte0 & 0x08 != 0 && length7 > 125 { return .controlFrameTooLong }
            switch length7 {
            case 126:
                payloadLength = 0
                headerLength = 4
            case 127:
                payloadLength = 0
                headerLength = 10
            default:
                payloadLength = UInt64(length7)
                headerLength = 2
            }
            if masked { headerLength += 4 }
        default:
            let lengthBytes = (byte1 & 0x7F) == 126 ? 2 : (byte1 & 0x7F) == 127 ? 8 : 0
            if index < 2 + lengthBytes {
                if lengthBytes == 8 && index == 2 && b & 0x80 != 0 { return .lengthTopBitSet }
                payloadLength = payloadLength << 8 | UInt64(b)
            } else {
                maskKey = maskKey << 8 | UInt32(b)
            }
        }
        if headerBytesRead == headerLength { return startPayload() }
        return nil
    }

    private mutating func startPayload() -> WebSocketProtocolError? {
        let opcode = byte0 & 0x0F
        let fin = byte0 & 0x80 != 0
        currentIsClose = opcode == 0x8
        if currentIsClose {
            if payloadLength == 1 { return .closePayloadTooShort }
            closeFrameSeen = true
        }
        // Message state changes when the header is complete; control frames may interleave (RFC 6455 §5.4).
        switch opcode {
        case 0x0: messageInProgress = !fin
        case 0x1, 0x2: messageInProgress = !fin
        default: break
        }
        if byte1 & 0x80 == 0 { maskKey = 0 }
        headerBytesRead = 0
        payloadOffset = 0
        payloadRemaining = payloadLength
        inPayload = true
        if payloadRemaining == 0 { finishFrame() }
        return nil
    }

    private mutating func finishFrame() {
        inPayload = false
        framesCompleted += 1
        maskKey = 0
        currentIsClose = false
    }
}
