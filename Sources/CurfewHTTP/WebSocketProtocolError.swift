/// A websocket framing violation (RFC 6455 §5). The proxy answers it by closing with 1002 (protocol error).
public struct WebSocketProtocolError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Stable snake_case reason for logs, e.g. "client_frame_not_masked".
    public let reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }

    /// The close code to send for it: 1002, protocol error.
    public var closeCode: UInt16 { 1002 }

    public static let clientFrameNotMasked = WebSocketProtocolError(reason: "client_frame_not_masked")
    public static let serverFrameMasked = WebSocketProtocolError(reason: "server_frame_masked")
    public static let reservedOpcode = WebSocketProtocolError(reason: "reserved_opcode")
    public static let reservedBitsSet = WebSocketProtocolError(reason: "reserved_bits_set")
    public static let lengthTopBitSet = WebSocketProtocolError(reason: "length_top_bit_set")
    public static let controlFrameTooLong = WebSocketProtocolError(reason: "control_frame_too_long")
    public static let controlFrameFragmented = WebSocketProtocolError(reason: "control_frame_fragmented")
    public static let unexpectedContinuation = WebSocketProtocolError(reason: "unexpected_continuation")
    public static let messageInterleaved = WebSocketProtocolError(reason: "message_interleaved")
    /// A close payload must be empty or start with a two-byte code (RFC 6455 §5.5.1).
    public static let closePayloadTooShort = WebSocketProtocolError(reason: "close_payload_too_short")
}
