/// Why an HTTP message was refused: the status to answer with and a short, stable reason for logs and metrics.
///
/// The reason never contains bytes from the message itself, so it is safe to log (no tokens, no cookies).
/// For a response from upstream the proxy answers 502 whatever `status` says.
public struct HTTPParseError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// HTTP status to answer with: 400, 414, 431 or 505 (502 for `validatedResponseBodyFraming`).
    public let status: Int
    /// Stable snake_case reason, e.g. "obs_fold", "bare_lf", "bad_header_name".
    public let reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status) \(reason)" }
}

extension HTTPParseError {
    static func bad(_ reason: String) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }

    // Start line.
    static let badMethod = bad("bad_method")
    static let badTarget = bad("bad_target")
    static let badRequestLine = bad("bad_request_line")
    static let badVersion = bad("bad_version")
    static let unsupportedVersion = HTTPParseError(status: 505, reason: "unsupported_version")
    static let requestLineTooLong = HTTPParseError(status: 414, reason: "request_line_too_long")
    static let tooManyEmptyLines = bad("too_many_empty_lines")
    static let badStatusLine = bad("bad_status_line")
    static let badReason = bad("bad_reason_phrase")

    // Line endings.
    static let bareLF = bad("bare_lf")
    static let bareCR = bad("bare_cr")

    // Field lines.
    static let obsFold = bad("obs_fold")
    static let spaceBeforeColon = bad("space_before_colon")
    static let badHeaderName = bad("bad_header_name")
    static let badHeaderValue = bad("bad_header_value")
    static let headerBlockTooLarge = HTTPParseError(status: 431, reason: "header_block_too_large")
    static let tooManyFields = HTTPParseError(status: 431, reason: "too_many_fields")
    static let missingHost = bad("missing_host")
    static let duplicateHost = bad("duplicate_host")

    // Body framing.
    static let contentLengthAndTransferEncoding = bad("cl_and_te")
    static let badContentLength = bad("bad_content_length")
    static let conflictingContentLength = bad("conflicting_content_length")
    static let badTransferEncoding = bad("bad_transfer_encoding")
    static let transferEncodingInHTTP10 = bad("te_in_http10")

    // Chunked bodies.
    static let badChunkSize = bad("bad_chunk_size")
    static let badChunkExtension = bad("bad_chunk_extension")
    static let chunkLineTooLong = bad("chunk_line_too_long")
    static let badChunkLineEnd = bad("bad_chunk_line_end")
    static let badChunkDataEnd = bad("bad_chunk_data_end")
    static let badTrailer = bad("bad_trailer")
    static let trailerTooLarge = bad("trailer_too_large")
}
