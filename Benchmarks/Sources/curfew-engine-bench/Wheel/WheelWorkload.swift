/// Every input of the `wheel` subcommand, drawn once before any timing so that the PRNG costs nothing inside a timed
/// loop and the wheel and the heap see exactly the same operations.
struct WheelWorkload {
    /// Fixed seed: runs are comparable across builds and machines.
    static let seed: UInt64 = 0xC0FF_EE15_CAFE_F00D
    /// curfew's default `enforcement.tick`.
    static let tickNanoseconds: Int64 = 10_000_000
    /// Deadlines fall uniformly in [start, start + span): a minute of websocket deadlines.
    static let spanNanoseconds: Int64 = 60_000_000_000
    /// The simulated monotonic "now" the queues are created at: an hour after boot plus an odd offset, so that neither
    /// `now` nor the deadlines are aligned to the tick.
    static let startNanoseconds: Int64 = 3_600_000_000_000 + 123_456_789

    let timers: Int
    /// Deadlines of the initial schedule (phases schedule, and the set-up of the others).
    let initial: [Int64]
    /// Deadlines of the timers scheduled by the schedule+cancel phase.
    let replacement: [Int64]
    /// New deadlines of the reschedule phase.
    let moved: [Int64]
    /// Which timer each step of the cancel, schedule+cancel and reschedule phases touches: random orders, because
    /// connections close and heartbeat independently of when they opened.
    let cancelOrder: [Int32]
    let replaceOrder: [Int32]
    let moveOrder: [Int32]

    init(timers: Int) {
        var random = SplitMix64(seed: Self.seed)
        func deadlines() -> [Int64] {
            (0..<timers).map { _ in Self.startNanoseconds + Int64(random.below(Int(Self.spanNanoseconds))) }
        }
        self.timers = timers
        initial = deadlines()
        replacement = deadlines()
        moved = deadlines()
        cancelOrder = random.permutation(timers)
        replaceOrder = random.permutation(timers)
        moveOrder = random.permutation(timers)
    }

    /// The largest number of `tick` steps the expire phase may need: past the last deadline, plus slack.
    var expireStepBound: Int { Int(Self.spanNanoseconds / Self.tickNanoseconds) + 3 }
}
