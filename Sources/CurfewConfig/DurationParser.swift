/// Durations in the config are strings: a whole number followed by a unit, `"500ms"`, `"90s"`, `"5m"`, `"12h"`,
/// `"1d"`.
///
/// Decisions, so that a config means one thing:
/// - a bare number (`5`, `"5"`) is refused: seconds or milliseconds would be a guess;
/// - fractions (`"1.5s"`) are refused: write `"1500ms"`; one spelling per value keeps configs greppable;
/// - negative values, spaces, empty strings and unknown units are refused;
/// - `"0s"` parses (to `.zero`); each key's own range decides whether zero makes sense there.
public enum DurationParser {
    /// A unit a duration may be written in, smallest first.
    public enum Unit: String, Sendable, CaseIterable {
        case milliseconds = "ms"
        case seconds = "s"
        case minutes = "m"
        case hours = "h"
        case days = "d"

        var milliseconds: Int64 {
            switch self {
            case .milliseconds: 1
            case .seconds: 1_000
            case .minutes: 60_000
            case .hours: 3_600_000
            case .days: 86_400_000
            }
        }
    }

    /// Why a string is not a duration; `ConfigLoader` turns this into the end of its message.
    enum Problem: Error, Equatable {
        case empty
        case bareNumber
        case negative
        case fraction
        case badUnit(String)
        case notANumber
        case tooLarge
    }

    /// The duration `text` denotes, or nil if it is not an integer followed by one of `Unit`.
    public static func parse(_ text: String) -> Duration? {
        if case .success(let d) = parseDetailed(text) { return d }
        return nil
    }

    static func parseDetailed(_ text: String) -> Result<Duration, Problem> {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return .failure(.empty) }
        if bytes[0] == UInt8(ascii: "-") { return .failure(.negative) }
        var i = 0
        var value: Int64 = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - UInt8(ascii: "0")))
            if o1 || o2 { return .failure(.tooLarge) }
            value = a
            i += 1
        }
        if i == 0 { return .failure(.notANumber) }
        if i == bytes.count { return .failure(.bareNumber) }
        if bytes[i] == UInt8(ascii: ".") { return .failure(.fraction) }
        let unitText = String(decoding: bytes[i...], as: UTF8.self)
        guard let unit = Unit(rawValue: unitText) else { return .failure(.badUnit(unitText)) }
        let (ms, overflow) = value.multipliedReportingOverflow(by: unit.milliseconds)
        // Keep far from Duration's own limits: nothing in the config needs more than a few years.
        if overflow || ms > 100 * 365 * 86_400_000 { return .failure(.tooLarge) }
        return .success(.milliseconds(ms))
    }

    /// The short form of `duration` in the largest unit that states it exactly: `.seconds(90)` is `"90s"`,
    /// `.seconds(86400)` is `"1d"`, `.milliseconds(1500)` is `"1500ms"`. Durations that are not whole
    /// milliseconds (never produced by `parse`) fall back to `Duration`'s own description.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        guard attoseconds % attosecondsPerMillisecond == 0, seconds >= 0, attoseconds >= 0,
            seconds < Int64.max / 1_000
        else { return "\(duration)" }
        let ms = seconds * 1_000 + attoseconds / attosecondsPerMillisecond
        if ms == 0 { return "0s" }
        for unit in Unit.allCases.reversed() where ms % unit.milliseconds == 0 {
            return "\(ms / unit.milliseconds)\(unit.rawValue)"
        }
        return "\(ms)ms"
    }
}
