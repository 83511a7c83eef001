/// The cadence at which the runtime re-asks Sync Gateway whether a session behind an open connection is still valid
/// (`GET /{db}/_session/{id}`): every `interval`, with up to ±10 % jitter so that many connections opened together
/// (say, after a deploy) do not re-check in one burst.
///
/// Pure: the caller passes the random value in, so tests need no random source and no clock.
public struct SessionRecheckSchedule: Sendable, Equatable {
    /// The nominal time between checks, milliseconds (at least 1).
    public var interval: Int64

    /// The largest jitter, as a fraction of `interval`.
    public static let maxJitterFraction = 0.1

    /// Creates a schedule. An interval below 1 ms is raised to 1 ms (a zero interval would re-check in a loop).
    public init(interval: Int64) {
        self.interval = max(1, interval)
    }

    /// Checks of one session closer together than this count as one (several connections on a session share
    /// its checks). It must stay below the shortest jittered interval (90 %): with the whole interval, a timer
    /// that fired early skipped its check, so a session was asked about only every other interval.
    public var sharedCheckWindow: Int64 {
        max(1, interval - Int64((Double(interval) * 2 * Self.maxJitterFraction).rounded()))
    }

    /// The time of the next check.
    /// - Parameters:
    ///   - now: Unix milliseconds.
    ///   - jitter: a random value in [-1, 1]; values outside are clamped and NaN counts as 0.
    /// - Returns: `now + interval + jitter * 10 % of interval`, rounded to the millisecond, always after `now`.
    public func nextCheck(after now: Int64, jitter: Double) -> Int64 {
        let unit = jitter.isNaN ? 0 : min(1, max(-1, jitter))
        let offset = Int64((Double(interval) * Self.maxJitterFraction * unit).rounded())
        let delay = max(1, interval + offset)
        let (next, overflow) = now.addingReportingOverflow(delay)
        return overflow ? Int64.max : next
    }
}
