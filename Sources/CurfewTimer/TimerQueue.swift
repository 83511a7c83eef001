/// What an event-loop worker needs from a deadline store. `TimerWheel` is the production implementation;
/// `TimerHeap` is the simple baseline used as a test oracle and benchmark reference.
///
/// Times are `Int64` nanoseconds on a monotonic clock and are always passed in: nothing here reads a clock.
public protocol TimerQueue {
    /// Number of live (scheduled, not yet fired or cancelled) timers.
    var count: Int { get }

    /// Schedules `token` to fire at `deadline`. A deadline already in the past fires at the next `expire`.
    mutating func schedule(at deadline: Int64, token: UInt64) -> TimerID

    /// Removes a live timer. Returns false for a stale or unknown id.
    @discardableResult
    mutating func cancel(_ id: TimerID) -> Bool

    /// Moves a live timer to a new deadline (it then sorts after timers already scheduled for the same
    /// deadline). Returns false for a stale or unknown id.
    @discardableResult
    mutating func reschedule(_ id: TimerID, at deadline: Int64) -> Bool

    /// The deadline of a live timer, nil for a stale or unknown id.
    func deadline(of id: TimerID) -> Int64?

    /// Appends every timer with `deadline <= now`, sorted by deadline (ties in schedule order), and removes
    /// them. Never returns a timer early.
    mutating func expire(now: Int64, into expired: inout [ExpiredTimer])

    /// When the loop must wake next: never later than the earliest deadline rounded up to a tick, possibly
    /// earlier. Nil when no timer is live.
    func nextWakeup() -> Int64?

    /// Checks every internal invariant; throws `TimerQueueInvariantError` listing the violations.
    func validate() throws
}
