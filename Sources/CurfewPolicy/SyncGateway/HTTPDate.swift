/// HTTP-date parsing (RFC 9110 §5.6.7) into Unix milliseconds, for the `Expires` attribute of `Set-Cookie`.
///
/// Accepts the three forms a recipient must accept:
/// - IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT` (what Sync Gateway, i.e. Go's `net/http`, sends)
/// - obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`
/// - obsolete asctime: `Sun Nov  6 08:49:37 1994`
///
/// Day and month names are matched case-insensitively and the day name is not cross-checked against the date
/// (a wrong weekday is a sender bug, not a reason to forget a deadline). Anything else is rejected with nil.
public enum HTTPDate {
    /// Parses an HTTP-date.
    /// - Parameters:
    ///   - text: the attribute value, surrounding spaces allowed.
    ///   - now: Unix milliseconds; only used to place the two-digit year of the RFC 850 form (RFC 9110 §5.6.7: a
    ///     date more than 50 years in the future means the most recent past year with those last two digits).
    /// - Returns: Unix milliseconds, or nil when `text` is not an HTTP-date.
    public static func parse(_ text: String, now: Int64) -> Int64? {
        var text = text
        return text.withUTF8 { parse(bytes: $0[...], now: now) }
    }

    static func parse(bytes raw: UnsafeBufferPointer<UInt8>.SubSequence, now: Int64) -> Int64? {
        let bytes = ByteScan.trimmed(raw)
        // The day name runs up to the first ',' (IMF-fixdate, RFC 850) or ' ' (asctime).
        guard let nameEnd = bytes.firstIndex(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") }) else {
            return nil
        }
        let dayName = bytes[bytes.startIndex..<nameEnd]
        if bytes[nameEnd] == UInt8(ascii: " ") {
            guard isShortDayName(dayName) else { return nil }
            return parseAsctime(bytes[(nameEnd + 1)...])
        }
        // ", " then either "06 Nov 1994 …" or "06-Nov-94 …".
        let afterComma = nameEnd + 1
        guard afterComma < bytes.endIndex, bytes[afterComma] == UInt8(ascii: " ") else { return nil }
        let rest = bytes[(afterComma + 1)...]
        if rest.count > 2, rest[rest.startIndex + 2] == UInt8(ascii: "-") {
            guard isLongDayName(dayName) else { return nil }
            return parseRFC850(rest, now: now)
        }
        guard isShortDayName(dayName) else { return nil }
        return parseIMFFixdate(rest)
    }

    /// `06 Nov 1994 08:49:37 GMT`
    private static func parseIMFFixdate(_ s: UnsafeBufferPointer<UInt8>.SubSequence) -> Int64? {
        guard s.count == 24 else { return nil }
        let b = s.startIndex
        guard s[b + 2] == UInt8(ascii: " "), s[b + 6] == UInt8(ascii: " "), s[b + 11] == UInt8(ascii: " "),
            s[b + 20] == UInt8(ascii: " "), ByteScan.equalsLowercase(s[(b + 21)...], "gmt"),
            let day = ByteScan.number(s[b..<(b + 2)]),
            let month = month(s[(b + 3)..<(b + 6)]),
            let year = ByteScan.number(s[(b + 7)..<(b + 11)]),
            let time = timeOfDay(s[(b + 12)..<(b + 20)])
        else { return nil }
        return CivilCalendar.unixMilliseconds(
            year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second)
    }

    /// `06-Nov-94 08:49:37 GMT`
    private static func parseRFC850(_ s: UnsafeBufferPointer<UInt8>.SubSequence, now: Int64) -> Int64? {
        guard s.count == 22 else { return nil }
        let b = s.startIndex
        guard s[b + 2] == UInt8(ascii: "-"), s[b + 6] == UInt8(ascii: "-"), s[b + 9] == UInt8(ascii: " "),
            s[b + 18] == UInt8(ascii: " "), ByteScan.equalsLowercase(s[(b + 19)...], "gmt"),
            let day = ByteScan.number(s[b..<(b + 2)]),
            let month = month(s[(b + 3)..<(b + 6)]),
            let twoDigitYear = ByteScan.number(s[(b + 7)..<(b + 9)]),
            let time = timeOfDay(s[(b + 10)..<(b + 18)])
        else { return nil }
        let year = fullYear(twoDigits: twoDigitYear, now: now)
        return CivilCalendar.unixMilliseconds(
            year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second)
    }

    /// `Nov  6 08:49:37 1994` (the day is two digits or a space and one digit).
    private static func parseAsctime(_ s: UnsafeBufferPointer<UInt8>.SubSequence) -> Int64? {
        guard s.count == 20 else { return nil }
        let b = s.startIndex
        guard s[b + 3] == UInt8(ascii: " "), s[b + 6] == UInt8(ascii: " "), s[b + 15] == UInt8(ascii: " "),
            let month = month(s[b..<(b + 3)]),
            let time = timeOfDay(s[(b + 7)..<(b + 15)]),
            let year = ByteScan.number(s[(b + 16)..<(b + 20)])
        else { return nil }
        let day: Int64
        if s[b + 4] == UInt8(ascii: " ") {
            guard let oneDigit = ByteScan.number(s[(b + 5)..<(b + 6)]) else { return nil }
            day = oneDigit
        } else {
            guard let twoDigits = ByteScan.number(s[(b + 4)..<(b + 6)]) else { return nil }
            day = twoDigits
        }
        return CivilCalendar.unixMilliseconds(
            year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second)
    }

    /// `HH:MM:SS`
    private static func timeOfDay(
        _ s: UnsafeBufferPointer<UInt8>.SubSequence
    ) -> (hour: Int64, minute: Int64, second: Int64)? {
        let b = s.startIndex
        guard s.count == 8, s[b + 2] == UInt8(ascii: ":"), s[b + 5] == UInt8(ascii: ":"),
            let hour = ByteScan.number(s[b..<(b + 2)]),
            let minute = ByteScan.number(s[(b + 3)..<(b + 5)]),
            let second = ByteScan.number(s[(b + 6)..<(b + 8)])
        else { return nil }
        return (hour, minute, second)
    }

    private static func fullYear(twoDigits: Int64, now: Int64) -> Int64 {
        let currentYear = CivilCalendar.year(ofUnixMilliseconds: now)
        var year = currentYear - currentYear % 100 + twoDigits
        if year > currentYear + 50 {
            year -= 100
        } else if year + 100 <= currentYear + 50 {
            year += 100
        }
        return year
    }

    private static let months: [StaticString] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    private static let shortDays: [StaticString] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let longDays: [StaticString] = [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ]

    private static func month(_ s: UnsafeBufferPointer<UInt8>.SubSequence) -> Int64? {
        for (index, name) in months.enumerated() where ByteScan.equalsLowercase(s, name) {
            return Int64(index + 1)
        }
        return nil
    }

    private static func isShortDayName(_ s: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
        shortDays.contains { ByteScan.equalsLowercase(s, $0) }
    }

    private static func isLongDayName(_ s: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
        longDays.contains { ByteScan.equalsLowercase(s, $0) }
    }
}
