/// How much of a buffer belongs to the body being tracked.
public struct BodyProgress: Sendable, Equatable {
    /// Bytes at the start of the buffer that belong to the body; the rest (if any) is the next message.
    public var bodyBytes: Int
    /// Whether the body ended within these bytes (or had already ended).
    public var isComplete: Bool

    public init(bodyBytes: Int, isComplete: Bool) {
        self.bodyBytes = bodyBytes
        self.isComplete = isComplete
    }
}

/// Follows a message body through a byte stream without copying or changing it, so the proxy forwards exactly
/// the bytes it read: chunked bodies keep their chunk lines, extensions and trailers byte-for-byte.
///
/// Chunked syntax is checked strictly (RFC 9112 §7.1): a chunk size is 1–16 hex digits with no sign, "0x",
/// or whitespace; every line ends with CRLF; extension lines and the trailer section are bounded. Feeding can be
/// split at any byte.
public struct BodyTracker: Sendable {
    /// Longest chunk-size line (size plus extensions), CRLF excluded.
    public static let chunkLineMax = 4096
    /// Largest trailer section, final CRLF excluded.
    public static let trailerSectionMax = 32768

    private enum State: Sendable, Equatable {
        case fixed(remaining: UInt64)
        case untilClose
        case chunkSizeStart
        case chunkSize
        case chunkExtension
        case chunkSizeLF
        case chunkData(remaining: UInt64)
        case chunkDataCR
        case chunkDataLF
        case trailerLineStart
        case trailerName
        case trailerValue
        case trailerLineLF
        case finalLF
        case complete
        case failed(HTTPParseError)
    }

    private var state: State
    private var chunkSize: UInt64 = 0
    private var chunkSizeDigits = 0
    private var chunkLineLength = 0
    private var trailerBytes = 0

    /// The framing from `requestBodyFraming` or `responseBodyFraming`.
    public init(_ framing: BodyFraming) {
        switch framing {
        case .none: state = .complete
        case .contentLength(let n): state = n == 0 ? .complete : .fixed(remaining: n)
        case .chunked: state = .chunkSizeStart
        case .untilClose: state = .untilClose
        }
    }

    /// Whether the body has ended.
    public var isComplete: Bool { state == .complete }

    /// Tracks the next bytes of the stream.
    ///
    /// - Returns: how many leading bytes of `bytes` belong to the body and whether it is complete; or the first
    ///   framing error (400), after which the tracker stays failed. An `.untilClose` body never completes: it
    ///   ends when the peer closes.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Result<BodyProgress, HTTPParseError> {
        let p = bytes.bindMemory(to: UInt8.self)
        let n = p.count
        var i = 0
        var state = self.state
        defer { self.state = state }

        func fail(_ error: HTTPParseError) -> Result<BodyProgress, HTTPParseError> {
            state = .failed(error)
            return .failure(error)
        }

        while i < n {
            let b = p[i]
            switch state {
            case .complete:
                return .success(BodyProgress(bodyBytes: i, isComplete: true))
            case .failed(let error):
                return .failure(error)
            case .untilClose:
                return .success(BodyProgress(bodyBytes: n, isComplete: false))
            case .fixed(let remaining):
                let take = Int(min(remaining, UInt64(n - i)))
                i += take
                let left = remaining - UInt64(take)
                state = left == 0 ? .complete : .fixed(remaining: left)
                continue

            // MARK: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
            case .chunkSizeStart:
                guard let digit = ASCII.hexValue(b) else { return fail(.badChunkSize) }
                chunkSize = UInt64(digit)
                chunkSizeDigits = 1
                chunkLineLength = 1
                state = .chunkSize
            case .chunkSize:
                chunkLineLength += 1
                if let digit = ASCII.hexValue(b) {
                    chunkSizeDigits += 1
                    // 16 hex digits fill a UInt64 exactly; a 17th could overflow (and leading zeros are padding
                    // nobody needs).
                    guard chunkSizeDigits <= 16 else { return fail(.badChunkSize) }
                    chunkSize = chunkSize << 4 | UInt64(digit)
                } else if b == ASCII.semicolon {
                    state = .chunkExtension
                } else if b == ASCII.cr {
                    state = .chunkSizeLF
                } else {
                    return fail(.badChunkSize)
                }
            case .chunkExtension:
                // Extensions are forwarded untouched; we only bound them and refuse controls and bare line ends.
                if b == ASCII.cr {
                    state = .chunkSizeLF
                } else {
                    chunkLineLength += 1
                    guard chunkLineLength <= Self.chunkLineMax else { return fail(.chunkLineTooLong) }
                    guard ASCII.isFieldValueChar(b) else { return fail(.badChunkExtension) }
                }
            case .chunkSizeLF:
                guard b == ASCII.lf else { return fail(.badChunkLineEnd) }
                state = chunkSize == 0 ? .trailerLineStart : .chunkData(remaining: chunkSize)
            case .chunkData(let remaining):
                let take = Int(min(remaining, UInt64(n - i)))
                i += take
                let left = remaining - UInt64(take)
                state = left == 0 ? .chunkDataCR : .chunkData(remaining: left)
                continue
            case .chunkDataCR:
                guard b == ASCII.cr else { return fail(.badChunkDataEnd) }
                state = .chunkDataLF
            case .chunkDataLF:
                guard b == ASCII.lf else { return fail(.badChunkDataEnd) }
                state = .chunkSizeStart

            // MARK: trailer-section = *( field-line CRLF ) CRLF
            case .trailerLineStart:
                if b == ASCII.cr {
                    state = .finalLF
                } else {
                    guard ASCII.isTokenChar(b) else { return fail(.badTrailer) }
                    trailerBytes += 1
                    if trailerBytes > Self.trailerSectionMax { return fail(.trailerTooLarge) }
                    state = .trailerName
                }
            case .trailerName:
                trailerBytes += 1
                if trailerBytes > Self.trailerSectionMax { return fail(.trailerTooLarge) }
                if b == ASCII.colon {
                    state = .trailerValue
                } else if !ASCII.isTokenChar(b) {
                    return fail(.badTrailer)
                }
            case .trailerValue:
                trailerBytes += 1
                if trailerBytes > Self.trailerSectionMax { return fail(.trailerTooLarge) }
                if b == ASCII.cr {
                    state = .trailerLineLF
                } else if !ASCII.isFieldValueChar(b) {
                    return fail(.badTrailer)
                }
            case .trailerLineLF:
                trailerBytes += 1
                if trailerBytes > Self.trailerSectionMax { return fail(.trailerTooLarge) }
                guard b == ASCII.lf else { return fail(.badTrailer) }
                state = .trailerLineStart
            case .finalLF:
                guard b == ASCII.lf else { return fail(.badTrailer) }
                state = .complete
                return .success(BodyProgress(bodyBytes: i + 1, isComplete: true))
            }
            i += 1
        }
        switch state {
        case .complete: return .success(BodyProgress(bodyBytes: n, isComplete: true))
        case .failed(let error): return .failure(error)
        default: return .success(BodyProgress(bodyBytes: n, isComplete: false))
        }
    }
}
