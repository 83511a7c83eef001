/// How a message body is delimited (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    /// No body.
    case none
    /// Exactly this many bytes.
    case contentLength(UInt64)
    /// Chunked transfer coding, ending with the last chunk and the trailer section.
    case chunked
    /// Everything until the peer closes (responses only).
    case untilClose
}

/// The framing of a request body, refusing every ambiguity a front end and a back end could read differently
/// (RFC 9112 §6.1, §6.3; the request smuggling defences of RFC 9112 §11.2).
///
/// Refused with 400: both Content-Length and Transfer-Encoding; Transfer-Encoding in an HTTP/1.0 request;
/// Transfer-Encoding other than exactly one `chunked`; Content-Length that is not all digits, overflows, or
/// disagrees with another Content-Length (identical duplicates are accepted and mean one value).
public func requestBodyFraming(_ head: HTTPHead) -> Result<BodyFraming, HTTPParseError> {
    let hasTE = head.contains("transfer-encoding")
    let hasCL = head.contains("content-length")
    if hasTE {
        if hasCL { return .failure(.contentLengthAndTransferEncoding) }
        if head.versionMinor == 0 { return .failure(.transferEncodingInHTTP10) }
        var codings = 0
        var onlyChunked = true
        head.forEachToken(in: "transfer-encoding") { buf, range in
            codings += 1
            onlyChunked = onlyChunked && ASCII.equalsCaseInsensitive(buf, range, "chunked")
            return true
        }
        // "chunked, chunked", "gzip, chunked", "chunked;x" or an empty value: all refused, we forward verbatim and
        // the next hop must read exactly what we read.
        guard codings == 1, onlyChunked else { return .failure(.badTransferEncoding) }
        return .success(.chunked)
    }
    if hasCL {
        return contentLength(head).map { .contentLength($0) }
    }
    return .success(.none)
}

/// The framing of a response body, following RFC 9112 §6.3 in order. The 101 switch is the caller's business.
///
/// An unreadable Content-Length falls back to `.untilClose` (the caller then closes the client connection after
/// the body); use `validatedResponseBodyFraming` to refuse such a response with 502 instead.
public func responseBodyFraming(_ head: HTTPHead, requestMethod: String) -> BodyFraming {
    switch validatedResponseBodyFraming(head, requestMethod: requestMethod) {
    case .success(let framing): return framing
    case .failure: return .untilClose
    }
}

/// Like `responseBodyFraming`, but a bad or conflicting Content-Length is a 502 failure.
public func validatedResponseBodyFraming(_ head: HTTPHead, requestMethod: String)
    -> Result<BodyFraming, HTTPParseError>
{
    if requestMethod == "HEAD" || (100..<200).contains(head.status) || head.status == 204 || head.status == 304 {
        return .success(.none)
    }
    if head.contains("transfer-encoding") {
        // Chunked only counts as the final coding; anything else is read until close (§6.3 rule 4).
        var last: Bool = false
        head.forEachToken(in: "transfer-encoding") { buf, range in
            last = ASCII.equalsCaseInsensitive(buf, range, "chunked")
            return true
        }
        return .success(last ? .chunked : .untilClose)
    }
    if head.contains("content-length") {
        return contentLength(head)
            .map { .contentLength($0) }
            .mapError { HTTPParseError(status: 502, reason: $0.reason) }
    }
    return .success(.untilClose)
}

/// The single value of every Content-Length field and list element, or the reason it is unusable.
private func contentLength(_ head: HTTPHead) -> Result<UInt64, HTTPParseError> {
    var value: UInt64?
    var failure: HTTPParseError?
    var sawElement = false
    head.forEachToken(in: "content-length") { buf, range in
        sawElement = true
        var n: UInt64 = 0
        for i in range {
            let b = buf[i]
            guard ASCII.isDigit(b) else {
                failure = .badContentLength
                return false
            }
            let (times10, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(b &- 0x30))
            guard !o1, !o2 else {
                failure = .badContentLength
                return false
            }
            n = sum
        }
        if let value, value != n {
            failure = .conflictingContentLength
            return false
        }
        value = n
        return true
    }
    if let failure { return .failure(failure) }
    // An empty value ("Content-Length:" or "Content-Length: ,") carries no length at all.
    guard sawElement, let value else { return .failure(.badContentLength) }
    return .success(value)
}
