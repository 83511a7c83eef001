/// Reading Sync Gateway request paths: which database a request addresses, and the decoded path segments.
///
/// SG routes on `/{db}/...` where `{db}` may be a keyspace `db.scope.collection` (SG database names cannot contain
/// a dot, so the database is what comes before the first one). A first segment starting with `_` (`/_config`,
/// `/_status`, `/_all_dbs`, `/_session`) is a server-level endpoint, never a database. Segments are
/// percent-decoded one by one (so `%2F` inside a user name stays inside that segment); an invalid escape or a
/// segment that is not UTF-8 after decoding makes the whole path unreadable (nil), as it would be a 400 from SG.
/// The query string is ignored, and so are empty segments (trailing or doubled slashes).
public enum SGPath {
    /// The database a request path addresses, or nil for server-level endpoints and unreadable paths.
    ///
    /// `/db.scope.coll/_changes?feed=continuous` -> `db`; `/db/` -> `db`; `/_session` -> nil; `/` -> nil.
    /// Only origin-form targets (starting with `/`) are understood.
    public static func database(ofPath path: String) -> String? {
        var path = path
        return path.withUTF8 { bytes -> String? in
            let all = withoutQuery(bytes[...])
            guard all.first == UInt8(ascii: "/") else { return nil }
            // The first non-empty segment is the keyspace; decode it alone (this runs for every public request).
            var start = all.startIndex
            while start < all.endIndex, all[start] == UInt8(ascii: "/") { start += 1 }
            let end = all[start...].firstIndex(of: UInt8(ascii: "/")) ?? all.endIndex
            guard start < end, let keyspace = percentDecoded(all[start..<end]) else { return nil }
            return database(ofKeyspace: keyspace)
        }
    }

    /// The decoded, non-empty segments of an origin-form path (query ignored), or nil when unreadable.
    static func segments(ofPath path: String) -> [String]? {
        var path = path
        return path.withUTF8 { bytes -> [String]? in
            let all = withoutQuery(bytes[...])
            guard all.first == UInt8(ascii: "/") else { return nil }
            var result: [String] = []
            for raw in all.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
                guard let segment = percentDecoded(raw) else { return nil }
                result.append(segment)
            }
            return result
        }
    }

    /// The database part of a decoded first segment: before the first dot; nil for `_`-prefixed or empty names.
    static func database(ofKeyspace keyspace: String) -> String? {
        guard let first = keyspace.utf8.first, first != UInt8(ascii: "_"), first != UInt8(ascii: ".") else {
            return nil
        }
        guard let dot = keyspace.utf8.firstIndex(of: UInt8(ascii: ".")) else { return keyspace }
        return String(keyspace[keyspace.startIndex..<dot])
    }

    private static func withoutQuery(
        _ bytes: UnsafeBufferPointer<UInt8>.SubSequence
    ) -> UnsafeBufferPointer<UInt8>.SubSequence {
        let end = bytes.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) ?? bytes.endIndex
        return bytes[bytes.startIndex..<end]
    }

    /// RFC 3986 percent-decoding of one segment (`+` stays `+`: it means space only in form-encoded queries).
    static func percentDecoded(_ raw: UnsafeBufferPointer<UInt8>.SubSequence) -> String? {
        guard raw.contains(UInt8(ascii: "%")) else { return String(validating: raw, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            let byte = raw[i]
            if byte == UInt8(ascii: "%") {
                guard i + 2 < raw.endIndex, let high = hexValue(raw[i + 1]), let low = hexValue(raw[i + 2]) else {
                    return nil
                }
                decoded.append(high << 4 | low)
                i += 3
            } else {
                decoded.append(byte)
                i += 1
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
