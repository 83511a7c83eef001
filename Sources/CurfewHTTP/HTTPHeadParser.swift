/// An incremental, restartable HTTP/1.1 head parser (RFC 9112 §2–§5), strict against request smuggling.
///
/// Feed it the bytes read from a socket; it validates every byte as it arrives, so a limit or a syntax error
/// trips at the first offending byte rather than when the head is complete. It copies only the bytes of the
/// head itself (not leading empty lines, not body bytes that follow the head in the same buffer).
///
/// After `.head` the parser is ready for the next head (keep-alive); after `.failure` it stays failed until
/// `reset()`.
public struct HTTPHeadParser: Sendable {
    private enum State: UInt8, Sendable {
        // Request line.
        case requestStart, leadingEmptyLineLF, method, targetStart, target, requestVersion
        // Status line.
        case responseVersion, statusCode, statusAfterCode, reasonPhrase
        // Shared.
        case startLineLF, fieldLineStart, fieldName, valueLeadingSpace, value, fieldLineLF, finalLF
    }

    public let kind: HTTPHead.Kind
    public let limits: HTTPLimits

    private var state: State
    private var failure: HTTPParseError?
    /// The head bytes received so far, start line first.
    private var storage: [UInt8] = []
    /// Empty lines skipped before the request line (RFC 9112 §2.2), bounded so they cannot spin us forever.
    private var skippedBytes = 0
    private var part1: Range<Int> = 0..<0
    private var part2: Range<Int> = 0..<0
    private var part3: Range<Int> = 0..<0
    private var partStart = 0
    /// The HTTP-version bytes, shifted in one at a time: "HTTP/1.1" is exactly 8 bytes, a UInt64.
    private var versionBits: UInt64 = 0
    private var versionLength = 0
    private var versionMinor = 0
    private var status = 0
    private var statusDigits = 0
    /// Where the field lines begin (absolute position in `storage`).
    private var headerBlockStart = 0
    private var fieldSpans: [HTTPHead.FieldSpan] = []
    private var nameStart = 0
    private var nameEnd = 0
    /// -1 until the value's first non-whitespace byte.
    private var valueStart = -1
    private var valueEnd = 0

    /// - Parameters:
    ///   - kind: `.request` for heads from clients, `.response` for heads from upstream.
    ///   - limits: size limits; see `HTTPLimits`.
    public init(kind: HTTPHead.Kind, limits: HTTPLimits = HTTPLimits()) {
        self.kind = kind
        self.limits = limits
        self.state = kind == .request ? .requestStart : .responseVersion
    }

    /// Forgets everything, ready for a new head (also after a failure).
    public mutating func reset() {
        self = HTTPHeadParser(kind: kind, limits: limits)
    }

    private static let http10: UInt64 = 0x4854_5450_2F31_2E30  // "HTTP/1.0"
    private static let http11: UInt64 = 0x4854_5450_2F31_2E31  // "HTTP/1.1"

    /// Validates the accumulated HTTP-version: 1.0 and 1.1 are accepted; any other well-formed "HTTP/d.d" is
    /// 505, anything else 400.
    private mutating func checkVersion() -> HTTPParseError? {
        if versionLength == 8 {
            if versionBits == Self.http11 {
                versionMinor = 1
                return nil
            }
            if versionBits == Self.http10 {
                versionMinor = 0
                return nil
            }
            // "HTTP/" DIGIT "." DIGIT with other digits: a version we do not speak.
            let major = UInt8(truncatingIfNeeded: versionBits >> 16)
            let dot = UInt8(truncatingIfNeeded: versionBits >> 8)
            let minor = UInt8(truncatingIfNeeded: versionBits)
            if versionBits >> 24 == 0x48_5454_502F, ASCII.isDigit(major), dot == 0x2E, ASCII.isDigit(minor) {
                return .unsupportedVersion
            }
        }
        return .badVersion
    }

    /// Feeds the next bytes from the peer.
    ///
    /// - Returns: `.needMore` when all of `bytes` was consumed without completing the head; `.head` with the
    ///   number of bytes of this call that belonged to the head; `.failure` at the first byte that breaks a rule.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPHeadParseResult {
        if let failure { return .failure(failure) }
        let n = bytes.count
        guard n > 0 else { return .needMore }
        let p = bytes.bindMemory(to: UInt8.self)
        var state = self.state
        // Bytes before `copyStart` (skipped empty lines) are not retained; `base + i` is the absolute position of
        // byte i in `storage` once this call's bytes are appended.
        var copyStart = 0
        var base = storage.count
        var i = 0
        let lineMax = limits.requestLineMax

        while i < n {
            let b = p[i]
            switch state {
            // MARK: Request line: method SP request-target SP HTTP-version CRLF
            case .requestStart:
                if b == ASCII.cr {
                    skippedBytes += 1
                    state = .leadingEmptyLineLF
                } else if ASCII.isTokenChar(b) {
                    copyStart = i
                    base = storage.count - i
                    partStart = 0
                    state = .method
                } else if b == ASCII.lf {
                    return fail(.bareLF)
                } else {
                    return fail(.badMethod)
                }
            case .leadingEmptyLineLF:
                guard b == ASCII.lf else { return fail(.bareCR) }
                skippedBytes += 1
                if skippedBytes > lineMax { return fail(.tooManyEmptyLines) }
                state = .requestStart
            case .method:
                if base + i >= lineMax { return fail(.requestLineTooLong) }
                if b == ASCII.sp {
                    part1 = partStart..<(base + i)
                    state = .targetStart
                } else if !ASCII.isTokenChar(b) {
                    return fail(b == ASCII.lf ? .bareLF : b == ASCII.cr ? .badRequestLine : .badMethod)
                }
            case .targetStart:
                if base + i >= lineMax { return fail(.requestLineTooLong) }
                guard ASCII.isTargetChar(b) else { return fail(.badTarget) }
                partStart = base + i
                state = .target
            case .target:
                // The hot part of a request line: scan the target in one tight loop.
                // No byte at or beyond absolute position `lineMax` can belong to the line.
                let end = min(n, lineMax - base)
                while i < end, ASCII.isTargetChar(p[i]) { i += 1 }
                guard i < n else { continue }
                if i >= end { return fail(.requestLineTooLong) }
                let c = p[i]
                if c == ASCII.sp {
                    part2 = partStart..<(base + i)
                    partStart = base + i + 1
                    versionBits = 0
                    versionLength = 0
                    state = .requestVersion
                } else if c == ASCII.cr || c == ASCII.lf {
                    // "GET /\r\n" is HTTP/0.9, which we do not speak.
                    return fail(.badRequestLine)
                } else {
                    return fail(.badTarget)
                }
            case .requestVersion:
                if b == ASCII.cr {
                    if let error = checkVersion() { return fail(error) }
                    part3 = partStart..<(base + i)
                    state = .startLineLF
                } else if b == ASCII.lf {
                    return fail(.bareLF)
                } else {
                    if base + i >= lineMax { return fail(.requestLineTooLong) }
                    versionLength += 1
                    // Longer than "HTTP/1.1" is garbage, whatever comes next.
                    guard versionLength <= 8, b > 0x20, b < 0x7F else { return fail(.badVersion) }
                    versionBits = versionBits << 8 | UInt64(b)
                }

            // MARK: Status line: HTTP-version SP status-code SP [ reason-phrase ] CRLF
            case .responseVersion:
                if base + i >= lineMax { return fail(.requestLineTooLong) }
                if b == ASCII.sp {
                    if let error = checkVersion() { return fail(error) }
                    part1 = 0..<(base + i)
                    partStart = base + i + 1
                    state = .statusCode
                } else if b == ASCII.lf {
                    return fail(.bareLF)
                } else {
                    versionLength += 1
                    guard versionLength <= 8, b > 0x20, b < 0x7F else { return fail(.badVersion) }
                    versionBits = versionBits << 8 | UInt64(b)
                }
            case .statusCode:
                if base + i >= lineMax { return fail(.requestLineTooLong) }
                guard ASCII.isDigit(b) else { return fail(.badStatusLine) }
                status = status * 10 + Int(b &- 0x30)
                statusDigits += 1
                if statusDigits == 3 {
                    guard status >= 100 else { return fail(.badStatusLine) }
                    part2 = partStart..<(base + i + 1)
                    state = .statusAfterCode
                }
            case .statusAfterCode:
                if b == ASCII.sp {
                    if base + i >= lineMax { return fail(.requestLineTooLong) }
                    partStart = base + i + 1
                    state = .reasonPhrase
                } else if b == ASCII.cr {
                    // No SP and no reason: RFC 9112 §4 asks for the SP, but recipients should accept this.
                    part3 = (base + i)..<(base + i)
                    state = .startLineLF
                } else {
                    return fail(b == ASCII.lf ? .bareLF : .badStatusLine)
                }
            case .reasonPhrase:
                if b == ASCII.cr {
                    part3 = partStart..<(base + i)
                    state = .startLineLF
                } else if b == ASCII.lf {
                    return fail(.bareLF)
                } else {
                    if base + i >= lineMax { return fail(.requestLineTooLong) }
                    guard ASCII.isFieldValueChar(b) else { return fail(.badReason) }
                }

            // MARK: Field lines: field-name ":" OWS field-value OWS CRLF
            case .startLineLF:
                guard b == ASCII.lf else { return fail(.bareCR) }
                headerBlockStart = base + i + 1
                state = .fieldLineStart
            case .fieldLineStart:
                if b == ASCII.cr {
                    state = .finalLF
                } else {
                    if base + i - headerBlockStart >= limits.headerBlockMax { return fail(.headerBlockTooLarge) }
                    if ASCII.isTokenChar(b) {
                        if fieldSpans.count >= limits.fieldCountMax { return fail(.tooManyFields) }
                        if fieldSpans.isEmpty { fieldSpans.reserveCapacity(16) }
                        nameStart = base + i
                        state = .fieldName
                    } else if ASCII.isWhitespace(b) {
                        // A continuation line (obs-fold, RFC 9112 §5.2): front ends disagree on it, so refuse.
                        return fail(.obsFold)
                    } else if b == ASCII.lf {
                        return fail(.bareLF)
                    } else {
                        return fail(.badHeaderName)
                    }
                }
            case .fieldName:
                // Scan the name in one tight loop, stopping at the header block limit.
                let limitIndex = min(n, headerBlockStart + limits.headerBlockMax - base)
                while i < limitIndex, ASCII.isTokenChar(p[i]) { i += 1 }
                guard i < n else { continue }
                if i >= limitIndex { return fail(.headerBlockTooLarge) }
                let b = p[i]
                if b == ASCII.colon {
                    nameEnd = base + i
                    valueStart = -1
                    state = .valueLeadingSpace
                } else if ASCII.isWhitespace(b) {
                    // "Name : value" is the classic smuggling vector (RFC 9112 §5.1 says MUST reject).
                    return fail(.spaceBeforeColon)
                } else if !ASCII.isTokenChar(b) {
                    return fail(b == ASCII.lf ? .bareLF : .badHeaderName)
                }
            case .valueLeadingSpace, .value:
                // Scan the value in one tight loop, stopping at the header block limit.
                let limitIndex = min(n, headerBlockStart + limits.headerBlockMax - base)
                var vs = valueStart
                var ve = valueEnd
                while i < limitIndex {
                    let c = p[i]
                    if c > 0x20 && c != 0x7F {
                        if vs < 0 { vs = base + i }
                        ve = base + i + 1
                    } else if !ASCII.isWhitespace(c) {
                        break
                    }
                    i += 1
                }
                valueStart = vs
                valueEnd = ve
                state = .value
                guard i < n else { continue }
                let c = p[i]
                if i >= limitIndex {
                    return fail(.headerBlockTooLarge)
                } else if c == ASCII.cr {
                    if valueStart < 0 {
                        valueStart = base + i
                        valueEnd = base + i
                    }
                    state = .fieldLineLF
                } else if c == ASCII.lf {
                    return fail(.bareLF)
                } else {
                    return fail(.badHeaderValue)
                }
            case .fieldLineLF:
                guard b == ASCII.lf else { return fail(.bareCR) }
                if base + i - headerBlockStart >= limits.headerBlockMax { return fail(.headerBlockTooLarge) }
                fieldSpans.append(.init(name: nameStart..<nameEnd, value: valueStart..<valueEnd))
                state = .fieldLineStart
            case .finalLF:
                guard b == ASCII.lf else { return fail(.bareCR) }
                i += 1
                storage.append(contentsOf: UnsafeBufferPointer(rebasing: p[copyStart..<i]))
                let head = HTTPHead(
                    kind: kind, rawBytes: storage, part1: part1, part2: part2, part3: part3,
                    fieldSpans: fieldSpans, versionMinor: versionMinor, status: status)
                if kind == .request, let error = Self.checkHost(head) { return fail(error) }
                reset()
                return .head(head, consumed: i)
            }
            i += 1
        }
        if copyStart < n, state != .requestStart, state != .leadingEmptyLineLF {
            storage.append(contentsOf: UnsafeBufferPointer(rebasing: p[copyStart..<n]))
        }
        self.state = state
        return .needMore
    }

    /// Records a failure; the parser stays failed until `reset()`.
    private mutating func fail(_ error: HTTPParseError) -> HTTPHeadParseResult {
        failure = error
        storage = []
        fieldSpans = []
        return .failure(error)
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request needs exactly one Host; no request may have more than one.
    private static func checkHost(_ head: HTTPHead) -> HTTPParseError? {
        var hosts = 0
        head.rawBytes.withUnsafeBufferPointer { buf in
            for span in head.fieldSpans where ASCII.equalsCaseInsensitive(buf, span.name, "host") { hosts += 1 }
        }
        if hosts > 1 { return .duplicateHost }
        if hosts == 0, head.versionMinor >= 1 { return .missingHost }
        return nil
    }
}
