/// A complete HTTP/1.x head (start line through the blank line) read in place, without copying or allocating.
///
/// curfew's own `HTTPHeadParser` is strict and copies each head into an array: right for a proxy, too much for a
/// load generator that must cost less than the thing it measures. The peers here are the proxies under test and
/// our own backend, so this reads just the start line and the few fields the benchmark needs.
struct HeadView {
    let bytes: UnsafeRawBufferPointer

    /// The byte index just past "\r\n\r\n" in `bytes[from...]`, or nil. `from` may point up to 3 bytes before
    /// where the search left off last time, so a terminator split across reads is still found.
    static func endOfHead(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        let n = bytes.count
        var i = Swift.max(from, 0)
        while i + 3 < n {
            // Skip ahead to the next CR; most bytes are not.
            if bytes[i] != 0x0D {
                i += 1
                continue
            }
            if bytes[i + 1] == 0x0A, bytes[i + 2] == 0x0D, bytes[i + 3] == 0x0A { return i + 4 }
            i += 1
        }
        return nil
    }

    /// The three parts of the start line: request `METHOD TARGET VERSION`, response `VERSION STATUS REASON`.
    var startLine: (Range<Int>, Range<Int>, Range<Int>) {
        let end = lineEnd(from: 0)
        let sp1 = index(of: 0x20, in: 0..<end) ?? end
        let sp2 = index(of: 0x20, in: Swift.min(sp1 + 1, end)..<end) ?? end
        return (0..<sp1, Swift.min(sp1 + 1, end)..<sp2, Swift.min(sp2 + 1, end)..<end)
    }

    /// The response status code, or nil if the status line is not `HTTP/1.x DDD`.
    var status: Int? {
        let (version, code, _) = startLine
        guard version.count == 8, code.count == 3, startsWith(version, "HTTP/1.") else { return nil }
        var value = 0
        for i in code {
            let d = bytes[i] &- 0x30
            guard d < 10 else { return nil }
            value = value * 10 + Int(d)
        }
        return value
    }

    /// True when the start line's version (request: third part; response: first) is HTTP/1.0.
    var isHTTP10: Bool {
        let (a, _, c) = startLine
        return equals(c, "HTTP/1.0") || equals(a, "HTTP/1.0")
    }

    func string(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }

    /// The trimmed value of the first field named `name` (ASCII case-insensitive), or nil.
    func value(of name: StaticString) -> Range<Int>? {
        var found: Range<Int>?
        forEachField { fieldName, value in
            if equalsIgnoringCase(fieldName, name) {
                found = value
                return false
            }
            return true
        }
        return found
    }

    /// Whether any field `name` lists `token` (comma-separated, case-insensitive): `Connection: keep-alive, Upgrade`.
    func hasToken(_ token: StaticString, in name: StaticString) -> Bool {
        var hit = false
        forEachField { fieldName, value in
            guard equalsIgnoringCase(fieldName, name) else { return true }
            var start = value.lowerBound
            for i in value.lowerBound...value.upperBound where i == value.upperBound || bytes[i] == 0x2C {
                if equalsIgnoringCase(trimmed(start..<i), token) {
                    hit = true
                    return false
                }
                start = i + 1
            }
            return true
        }
        return hit
    }

    /// A decimal field value (Content-Length), or nil when absent or not all digits.
    func integer(_ name: StaticString) -> UInt64? {
        guard let r = value(of: name), !r.isEmpty, r.count <= 18 else { return nil }
        var v: UInt64 = 0
        for i in r {
            let d = bytes[i] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + UInt64(d)
        }
        return v
    }

    /// Calls `body(name, value)` for each field line until it returns false.
    func forEachField(_ body: (Range<Int>, Range<Int>) -> Bool) {
        var line = lineEnd(from: 0) + 2
        while line < bytes.count {
            let end = lineEnd(from: line)
            if end == line { return }  // the blank line
            if let colon = index(of: 0x3A, in: line..<end) {
                if !body(line..<colon, trimmed((colon + 1)..<end)) { return }
            }
            line = end + 2
        }
    }

    // MARK: byte helpers

    private func lineEnd(from start: Int) -> Int {
        var i = start
        while i + 1 < bytes.count, !(bytes[i] == 0x0D && bytes[i + 1] == 0x0A) { i += 1 }
        return i + 1 < bytes.count ? i : bytes.count
    }

    private func index(of byte: UInt8, in range: Range<Int>) -> Int? {
        for i in range where bytes[i] == byte { return i }
        return nil
    }

    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x09 { lo += 1 }
        while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 { hi -= 1 }
        return lo..<hi
    }

    func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for (k, i) in range.enumerated() where bytes[i] != p[k] { return false }
        return true
    }

    func equalsIgnoringCase(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for (k, i) in range.enumerated() where HeadView.lower(bytes[i]) != HeadView.lower(p[k]) { return false }
        return true
    }

    private func startsWith(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard range.count >= n else { return false }
        return equals(range.lowerBound..<(range.lowerBound + n), literal)
    }

    /// Whether the bytes in `range` contain `needle` (case-sensitive).
    func contains(_ range: Range<Int>, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard n > 0, range.count >= n else { return n == 0 }
        for start in range.lowerBound...(range.upperBound - n) where equals(start..<(start + n), needle) { return true }
        return false
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
}
