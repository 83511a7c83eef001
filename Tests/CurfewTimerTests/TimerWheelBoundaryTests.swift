import Testing
@testable import CurfewTimer

/// Exhaustive sweeps around the level boundaries (multiples of 64^L ticks), where cascades happen and
/// off-by-one errors live.
@Suite struct TimerWheelBoundaryTests {
    static let tick: Int64 = 1000

    /// Tick numbers just around 1, 2, 63, 64 and 65 times 64^L for every level and the overflow beyond.
    static let interestingTicks: [Int64] = {
        var ticks = Set<Int64>([0, 1, 2])
        for level in 0...7 {
            let unit = Int64(1) << (6 * level)
            for multiple: Int64 in [1, 2, 63, 64, 65] {
                for offset: Int64 in -2...1 { ticks.insert(max(0, multiple * unit + offset)) }
            }
        }
        return ticks.sorted()
    }()

    /// For every start point and every deadline point (at, just after, and at the end of a tick), one timer:
    /// it must not fire 1 ns before its deadline and must fire exactly at it.
    @Test func singleTimerAtEveryBoundaryPair() throws {
        let points = Self.interestingTicks
        for startTick in points {
            for deadlineTick in points where deadlineTick >= startTick {
                for offset: Int64 in [0, 1, Self.tick - 1] {
                    let start = startTick * Self.tick
                    let deadline = deadlineTick * Self.tick + offset
                    var wheel = TimerWheel(tick: Self.tick, now: start)
                    let id = wheel.schedule(at: deadline, token: 1)
                    let wake = try #require(wheel.nextWakeup())
                    #expect(wake <= roundUp(deadline, to: Self.tick))
                    if deadline - 1 >= start {
                        #expect(wheel.expire(now: deadline - 1).isEmpty, "early: start \(start) deadline \(deadline)")
                    }
                    try wheel.validate()
                    let fired = wheel.expire(now: deadline)
                    #expect(fired == [ExpiredTimer(id: id, token: 1, deadline: deadline)], "start \(start) deadline \(deadline)")
                }
            }
        }
    }

    /// Timers at every interesting point, with the wheel walked through every point and the nanosecond
    /// before it: each step returns exactly the timers due in (previous now, now], and the wheel validates
    /// after each step. Repeated from several start points so every cascade path is crossed.
    @Test func walkThroughEveryBoundary() throws {
        let points = Self.interestingTicks
        let deadlines = points.flatMap { [$0 * Self.tick, $0 * Self.tick + 1, $0 * Self.tick + Self.tick - 1] }
        for startTick in points {
            let start = startTick * Self.tick
            var wheel = TimerWheel(tick: Self.tick, now: start)
            for (token, deadline) in deadlines.enumerated() where deadline >= start {
                _ = wheel.schedule(at: deadline, token: UInt64(token))
            }
            try wheel.validate()
            var previous = start - 1
            let stops = deadlines.filter { $0 >= start }.flatMap { [$0 - 1, $0] }.filter { $0 >= start }
            for now in stops {
                if let wake = wheel.nextWakeup() {
                    let due = deadlines.filter { $0 > previous }.min()!
                    #expect(wake <= roundUp(due, to: Self.tick))
                }
                let fired = wheel.expire(now: now)
                let expected = deadlines.filter { $0 > previous && $0 <= now }
                #expect(fired.map(\.deadline) == expected, "start \(start) now \(now)")
                try wheel.validate()
                previous = now
            }
            #expect(wheel.count == 0)
        }
    }
}
