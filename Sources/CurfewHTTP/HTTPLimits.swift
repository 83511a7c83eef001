/// Size limits for an HTTP/1.1 head. Each one trips as soon as it is exceeded, before the rest of the head arrives,
/// so a peer cannot make the parser hold more than about `requestLineMax + headerBlockMax` bytes.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line (or status line), CRLF excluded. Exceeding it is 414 (URI Too Long).
    public var requestLineMax: Int
    /// Longest header block: all field lines including their CRLFs, excluding the start line and the final CRLF.
    /// Exceeding it is 431.
    public var headerBlockMax: Int
    /// Most field lines. Exceeding it is 431.
    public var fieldCountMax: Int

    /// The defaults match common servers (nginx's 8 KiB large_client_header_buffers line, haproxy's 101 fields).
    public init(requestLineMax: Int = 8192, headerBlockMax: Int = 32768, fieldCountMax: Int = 100) {
        self.requestLineMax = requestLineMax
        self.headerBlockMax = headerBlockMax
        self.fieldCountMax = fieldCountMax
    }
}
