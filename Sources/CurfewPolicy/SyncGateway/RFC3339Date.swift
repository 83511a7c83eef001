/// RFC 3339 timestamp parsing into Unix milliseconds, for the `expires` field Sync Gateway returns from
/// `POST /{db}/_session` (Go's `time.Time` JSON form, RFC 3339 with nanoseconds, e.g.
/// `2026-12-03T20:15:04.123456789Z`, or a numeric offset when the server's zone is not UTC).
///
/// Grammar (RFC 3339 §5.6): `YYYY-MM-DD` `T` `hh:mm:ss` [`.` 1*DIGIT] (`Z` | `+hh:mm` | `-hh:mm`).
/// `T` and `Z` may be lowercase (§5.6 note). A space instead of `T` is rejected: SG never sends it, and being strict
/// here keeps junk out. Fractional seconds of any length are truncated to milliseconds (at most 1 ms early).
/// A leap second (`:60`) is accepted and counts as the next minute's `:00`.
public enum RFC3339Date {
    /// Parses an RFC 3339 date-time.
    /// - Returns: Unix milliseconds, or nil when `text` is not an RFC 3339 date-time.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(bytes: $0[...]) }
    }

    static func parse(bytes s: UnsafeBufferPointer<UInt8>.SubSequence) -> Int64? {
        // The fixed part: "YYYY-MM-DDThh:mm:ss" is 19 bytes, and a zone of at least "Z" follows.
        guard s.count >= 20 else { return nil }
        let b = s.startIndex
        guard s[b + 4] == UInt8(ascii: "-"), s[b + 7] == UInt8(ascii: "-"),
            s[b + 10] == UInt8(ascii: "T") || s[b + 10] == UInt8(ascii: "t"),
            s[b + 13] == UInt8(ascii: ":"), s[b + 16] == UInt8(ascii: ":"),
            let year = ByteScan.number(s[b..<(b + 4)]),
            let month = ByteScan.number(s[(b + 5)..<(b + 7)]),
            let day = ByteScan.number(s[(b + 8)..<(b + 10)]),
            let hour = ByteScan.number(s[(b + 11)..<(b + 13)]),
            let minute = ByteScan.number(s[(b + 14)..<(b + 16)]),
            let second = ByteScan.number(s[(b + 17)..<(b + 19)])
        else { return nil }

        var i = b + 19
        var millisecond: Int64 = 0
        if s[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < s.endIndex, ByteScan.isDigit(s[i]) {
                // Keep the first three digits; the rest only needs to be digits.
                if i - fractionStart < 3 { millisecond = millisecond * 10 + Int64(s[i] - 0x30) }
                i += 1
            }
            let digits = i - fractionStart
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millisecond *= 10 }
        }

        guard i < s.endIndex else { return nil }
        let offsetMinutes: Int64
        switch s[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard i + 1 == s.endIndex else { return nil }
            offsetMinutes = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard s.endIndex - i == 6, s[i + 3] == UInt8(ascii: ":"),
                let offsetHours = ByteScan.number(s[(i + 1)..<(i + 3)]),
                let offsetMins = ByteScan.number(s[(i + 4)..<(i + 6)]),
                offsetHours <= 23, offsetMins <= 59
            else { return nil }
            let magnitude = offsetHours * 60 + offsetMins
            offsetMinutes = s[i] == UInt8(ascii: "-") ? -magnitude : magnitude
        default:
            return nil
        }

        guard
            let local = CivilCalendar.unixMilliseconds(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                millisecond: millisecond)
        else { return nil }
        // Local time = UTC + offset, so UTC = local - offset.
        return local - offsetMinutes * 60_000
    }
}
