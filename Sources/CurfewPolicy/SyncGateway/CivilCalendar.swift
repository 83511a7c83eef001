/// Calendar arithmetic for the date parsers in this folder: proleptic Gregorian, UTC, no Foundation.
///
/// Why not `DateFormatter` / `Date.ParseStrategy`: they pull in locale machinery, are slow, and the three HTTP date
/// forms plus RFC 3339 are small fixed grammars. Days-from-civil is Howard Hinnant's algorithm
/// (http://howardhinnant.github.io/date_algorithms.html#days_from_civil), exact for every year we accept.
enum CivilCalendar {
    /// Days since 1970-01-01 for a valid (year, month 1...12, day 1...31) date.
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthFromMarch = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The year (UTC) that contains the given instant; used for the RFC 850 two-digit-year rule.
    static func year(ofUnixMilliseconds ms: Int64) -> Int64 {
        // Floor division so instants before 1970 land on the right day.
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        return yearOfEra + era * 400 + (monthFromMarch >= 10 ? 1 : 0)
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Unix milliseconds for a UTC civil time, or nil when a field is out of range.
    /// `second` may be 60 (a leap second, allowed by RFC 3339 and RFC 9110); it counts as the next minute's 00.
    static func unixMilliseconds(
        year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, millisecond: Int64 = 0
    ) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            (0...999).contains(millisecond)
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        return seconds * 1000 + millisecond
    }
}
