/// Parsing of the two list-shaped headers that can carry a Sync Gateway session id.
enum HeaderLists {
    /// The value of the first valid `name=value` pair called `name` across all `Cookie` field values, in order.
    ///
    /// This mirrors Go's `http.Request.Cookie` (what SG calls): pairs are split on `;`, trimmed, a value wrapped in
    /// double quotes is unwrapped, and pairs whose value holds bytes outside the cookie-octet set are skipped rather
    /// than failing the header. The first match wins, so curfew enforces the same session SG authenticates.
    static func cookie(named name: String, in fieldValues: [String]) -> String? {
        let wanted = Array(name.utf8)
        for field in fieldValues {
            for rawPair in Array(field.utf8).split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true) {
                let pair = trimmed(rawPair)
                guard let eq = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
                guard pair[pair.startIndex..<eq].elementsEqual(wanted) else { continue }
                var value = pair[(eq + 1)...]
                if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                    value = value.dropFirst().dropLast()
                }
                guard value.allSatisfy(isCookieOctet) else { continue }
                return String(decoding: value, as: UTF8.self)
            }
        }
        return nil
    }

    /// The entries of comma-separated header values (e.g. `Sec-WebSocket-Protocol`), trimmed, empty ones dropped.
    static func commaSeparated(_ fieldValues: [String]) -> [String] {
        var entries: [String] = []
        for field in fieldValues {
            for raw in Array(field.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
                let entry = trimmed(raw)
                if !entry.isEmpty { entries.append(String(decoding: entry, as: UTF8.self)) }
            }
        }
        return entries
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = bytes
        while let first = s.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { s = s.dropFirst() }
        while let last = s.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { s = s.dropLast() }
        return s
    }

    /// RFC 6265 §4.1.1 cookie-octet, as Go's `validCookieValueByte` (which also admits space and comma).
    private static func isCookieOctet(_ b: UInt8) -> Bool {
        b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: ";") && b != UInt8(ascii: "\\")
    }
}
