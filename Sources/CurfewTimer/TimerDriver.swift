/// The timer half of an event-loop worker: its `TimerWheel`, its reading of the monotonic clock, how long the loop
/// may sleep, and the batch of timers due when it wakes. curfew's `Worker` and the engine benchmark's worker both
/// turn their wheel through this type, so the benchmark measures the runtime's loop rather than a copy of it.
///
/// A round of the loop:
///
///     driver.readClock()
///     loop.runOnce(timeoutMilliseconds: driver.waitMilliseconds(notAfter: shutdownDeadline))
///     driver.readClock()
///     for timer in driver.takeDue() { ... }   // handlers may schedule, cancel and reschedule on `driver.wheel`
///
/// Nothing here reads a clock but the one it is given, so tests drive it with a fake one and never sleep.
/// Not thread-safe by design: one driver per worker thread.
public struct TimerDriver {
    /// Monotonic nanoseconds; curfew passes `MonotonicClock.nanoseconds`.
    public typealias Clock = () -> Int64

    /// The worker's deadlines. Schedule, cancel and reschedule on it directly.
    public var wheel: TimerWheel
    /// Monotonic nanoseconds as of the last `readClock()`: the loop's "now" for the current round.
    public private(set) var now: Int64
    private let clock: Clock
    /// `takeDue` fills one buffer and hands it out while keeping the other: the buffer handed out last round is
    /// cleared and refilled next round. As long as the caller drops each batch within a round (a `for` loop over the
    /// call does), both buffers are uniquely held when cleared, keep their capacity, and no round allocates.
    private var handedOut: [ExpiredTimer] = []
    private var filling: [ExpiredTimer] = []

    /// A driver whose wheel starts at the clock's current reading.
    /// - Parameters:
    ///   - tick: the wheel's granularity in nanoseconds (`enforcement.tick`).
    ///   - clock: monotonic nanoseconds.
    public init(tick: Int64, clock: @escaping Clock) {
        self.clock = clock
        let start = clock()
        self.now = start
        self.wheel = TimerWheel(tick: tick, now: start)
    }

    /// Reads the clock into `now` and returns it.
    @discardableResult
    public mutating func readClock() -> Int64 {
        now = clock()
        return now
    }

    /// How long the loop may wait (epoll_wait's timeout) from `now`: until the wheel's next wake-up, or `notAfter`
    /// (a monotonic instant, e.g. a shutdown deadline) if that is sooner; -1 (forever) when neither exists.
    ///
    /// Rounded **up** to whole milliseconds: rounding down would wake before a timer is due and spin through empty
    /// rounds until it is. A wake-up already past gives 0.
    public func waitMilliseconds(notAfter limit: Int64 = .max) -> Int32 {
        let wake = min(wheel.nextWakeup() ?? .max, limit)
        if wake == .max { return -1 }
        return Self.millisecondsRoundedUp(from: now, to: wake)
    }

    /// Whole milliseconds from `now` to `wake`, rounded up, 0 when `wake` is not after `now`, clamped to `Int32`.
    public static func millisecondsRoundedUp(from now: Int64, to wake: Int64) -> Int32 {
        let (span, overflow) = wake.subtractingReportingOverflow(now)
        if overflow { return wake > now ? .max : 0 }
        guard span > 0 else { return 0 }
        let (whole, part) = span.quotientAndRemainder(dividingBy: 1_000_000)
        return Int32(clamping: whole + (part > 0 ? 1 : 0))
    }

    /// Expires every timer due at `now` and hands them back in firing order (deadline, then schedule order). Their
    /// ids are already stale. The array is one of the driver's two buffers: iterate it and drop it within the round.
    public mutating func takeDue() -> [ExpiredTimer] {
        // `filling` is the batch handed out two rounds ago; its holder has long let go.
        filling.removeAll(keepingCapacity: true)
        wheel.expire(now: now, into: &filling)
        swap(&filling, &handedOut)
        return handedOut
    }

    /// Maps a unix-ms deadline (credential expiry, heartbeat deadline) onto the wheel's monotonic nanoseconds: the
    /// time left on the wall clock, added to the monotonic now. A deadline already past maps to `monotonicNow` (fire
    /// at the next round). Saturating: a deadline centuries away (`Int64.max` meaning "never") maps to `Int64.max`
    /// instead of trapping.
    ///
    /// Mapping once, at arming time, makes the wheel immune to wall-clock steps in between; the cost is that a step
    /// moves the cut by the step. The state machine re-checks the wall clock when the timer fires and re-arms if it
    /// is early, so a cut is never early.
    /// As `monotonic(unixMilliseconds:unixNow:monotonicNow:)`, with the wall clock read to the nanosecond (and the
    /// monotonic clock read right beside it): a whole-ms reading is up to 1 ms behind the truth, which armed every
    /// deadline up to 1 ms late, and spread deadlines of the same instant over a millisecond of separate wake-ups.
    public static func monotonic(unixMilliseconds at: Int64, unixNowNanoseconds now: Int64, monotonicNow: Int64) -> Int64 {
        let fraction = now >= 0 ? now % 1_000_000 : 0
        let mapped = monotonic(unixMilliseconds: at, unixNow: (now - fraction) / 1_000_000, monotonicNow: monotonicNow)
        if mapped == .max || mapped == monotonicNow { return mapped }
        return max(monotonicNow, mapped - fraction)
    }

    public static func monotonic(unixMilliseconds at: Int64, unixNow: Int64, monotonicNow: Int64) -> Int64 {
        let (remaining, overflow) = at.subtractingReportingOverflow(unixNow)
        if !overflow, remaining <= 0 { return monotonicNow }
        if overflow, at < unixNow { return monotonicNow }
        let (nanoseconds, tooFar) = remaining.multipliedReportingOverflow(by: 1_000_000)
        if overflow || tooFar { return .max }
        let (instant, beyond) = monotonicNow.addingReportingOverflow(nanoseconds)
        return beyond ? .max : instant
    }
}
