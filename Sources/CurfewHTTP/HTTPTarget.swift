/// A request-target split into path and query (RFC 9112 §3.2), for routing.
///
/// Origin-form ("/db/_changes?since=0") is what Sync Gateway clients send; for absolute-form
/// ("https://host/db/") the path starts at the first "/" after the authority.
public struct HTTPTarget: Sendable, Equatable {
    /// The target as sent.
    public let raw: String
    /// The path, without the query, still percent-encoded ("/db/_changes"; "*" for asterisk-form).
    public let path: String
    /// The query without the "?", still encoded; nil when there is no "?".
    public let query: String?

    public init(_ raw: String) {
        self.raw = raw
        var utf8 = Substring(raw).utf8
        // Absolute-form: skip "scheme://authority".
        if let schemeEnd = Self.rangeOf("://", in: utf8) {
            let afterScheme = utf8[schemeEnd.upperBound...]
            if let slash = afterScheme.firstIndex(where: { $0 == ASCII.slash || $0 == ASCII.question }) {
                utf8 = afterScheme[slash...]
            } else {
                utf8 = afterScheme[afterScheme.endIndex...]
            }
        }
        if let q = utf8.firstIndex(of: ASCII.question) {
            path = String(Substring(utf8[..<q]))
            query = String(Substring(utf8[utf8.index(after: q)...]))
        } else {
            path = String(Substring(utf8))
            query = nil
        }
    }

    private static func rangeOf(_ needle: String, in hay: Substring.UTF8View) -> Range<Substring.UTF8View.Index>? {
        let n = Array(needle.utf8)
        var i = hay.startIndex
        while i != hay.endIndex {
            if hay[i...].starts(with: n) { return i..<hay.index(i, offsetBy: n.count) }
            // Only a scheme (letters, digits, "+", "-", ".") may come before "://".
            if hay[i] == ASCII.slash || hay[i] == ASCII.question { return nil }
            i = hay.index(after: i)
        }
        return nil
    }

    /// The path split on "/", each segment percent-decoded. The leading "/" is dropped; a trailing "/" shows as a
    /// final empty segment: "/db/" -> ["db", ""], "/db/_blipsync" -> ["db", "_blipsync"], "/" -> [""].
    /// An encoded "%2F" stays inside its segment: "/a%2Fb" -> ["a/b"].
    public var pathSegments: [String] {
        var bytes = Substring(path).utf8[...]
        if bytes.first == ASCII.slash { bytes = bytes.dropFirst() }
        return bytes.split(separator: ASCII.slash, omittingEmptySubsequences: false).map {
            Self.percentDecoded($0, plusIsSpace: false)
        }
    }

    /// Whether the target is origin-form ("/path?query"), the only form a client should send to a gateway;
    /// absolute-form carries its own authority, which could disagree with Host.
    public var isOriginForm: Bool { raw.utf8.first == ASCII.slash }

    /// Whether the path ends with "/".
    public var hasTrailingSlash: Bool { path.utf8.last == ASCII.slash }

    /// The first value of query parameter `name` (names compared after decoding, case-sensitively), decoded with
    /// "+" as space (form encoding, as Go's url.ParseQuery does). A parameter without "=" has the value "".
    public func queryValue(_ name: String) -> String? {
        guard let query else { return nil }
        let wanted = Array(name.utf8)
        for pair in Substring(query).utf8.split(separator: ASCII.ampersand, omittingEmptySubsequences: true) {
            let eq = pair.firstIndex(of: ASCII.equals)
            let key = eq.map { pair[..<$0] } ?? pair[...]
            guard Array(Self.percentDecodedBytes(key, plusIsSpace: true)) == wanted else { continue }
            guard let eq else { return "" }
            return Self.percentDecoded(pair[pair.index(after: eq)...], plusIsSpace: true)
        }
        return nil
    }

    /// Decodes %XX escapes; a "%" not followed by two hex digits is kept as is. Invalid UTF-8 becomes U+FFFD.
    static func percentDecoded<C: Collection<UInt8>>(_ bytes: C, plusIsSpace: Bool) -> String {
        String(decoding: percentDecodedBytes(bytes, plusIsSpace: plusIsSpace), as: UTF8.self)
    }

    static func percentDecodedBytes<C: Collection<UInt8>>(_ bytes: C, plusIsSpace: Bool) -> [UInt8] {
        let a = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(a.count)
        var i = 0
        while i < a.count {
            let b = a[i]
            if b == ASCII.percent, i + 2 < a.count, let hi = ASCII.hexValue(a[i + 1]), let lo = ASCII.hexValue(a[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
                continue
            }
            out.append(plusIsSpace && b == ASCII.plus ? ASCII.sp : b)
            i += 1
        }
        return out
    }
}
