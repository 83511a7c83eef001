/// Removes the chunked transfer coding from a whole body, for the few requests curfew reads itself (admin API).
/// Proxied bodies are never decoded: `BodyTracker` forwards them byte for byte, chunk lines included, which is why
/// a locally answered request collects the coded bytes and needs this step before it can read its JSON.
public enum ChunkedBody {
    /// The payload of a complete chunked body (chunk extensions and trailers dropped), or nil when `raw` is not
    /// one. Meant for bytes `BodyTracker` has already accepted; the syntax is checked again all the same, so a
    /// caller that skipped the tracker gets nil rather than a guess.
    public static func decode(_ raw: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while true {
            // chunk-size [ chunk-ext ] CRLF
            var size: UInt64 = 0
            var digits = 0
            while i < raw.count, let digit = ASCII.hexValue(raw[i]) {
                guard digits < 16 else { return nil }
                size = size << 4 | UInt64(digit)
                digits += 1
                i += 1
            }
            guard digits > 0, let lineEnd = crlf(in: raw, from: i) else { return nil }
            i = lineEnd + 2
            if size == 0 { break }
            guard size <= UInt64(raw.count - i), raw.count - i - Int(size) >= 2 else { return nil }
            out.append(contentsOf: raw[i..<(i + Int(size))])
            i += Int(size)
            guard raw[i] == ASCII.cr, raw[i + 1] == ASCII.lf else { return nil }
            i += 2
        }
        // trailer-section CRLF: skip field lines up to the empty line, which must end the input.
        while true {
            guard let lineEnd = crlf(in: raw, from: i) else { return nil }
            if lineEnd == i { return lineEnd + 2 == raw.count ? out : nil }
            i = lineEnd + 2
        }
    }

    private static func crlf(in raw: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + 1 < raw.count {
            if raw[i] == ASCII.cr { return raw[i + 1] == ASCII.lf ? i : nil }
            i += 1
        }
        return nil
    }
}
