import Testing
@testable import CurfewTimer

/// The loop driver, on a clock the test moves by hand: nothing sleeps.
@Suite struct TimerDriverTests {
    /// A settable monotonic clock.
    final class FakeClock {
        var now: Int64
        init(_ now: Int64) { self.now = now }
    }

    static let tick: Int64 = 10_000_000
    static let ms: Int64 = 1_000_000

    static func driver(at start: Int64) -> (TimerDriver, FakeClock) {
        let clock = FakeClock(start)
        return (TimerDriver(tick: tick, clock: { clock.now }), clock)
    }

    @Test func startsAtTheClockAndReadsItOnlyWhenAsked() {
        let (driver0, clock) = Self.driver(at: 5_000 * Self.ms)
        var driver = driver0
        #expect(driver.now == 5_000 * Self.ms)
        clock.now += 7 * Self.ms
        #expect(driver.now == 5_000 * Self.ms)
        #expect(driver.readClock() == 5_007 * Self.ms)
        #expect(driver.now == 5_007 * Self.ms)
    }

    @Test func waitIsForeverWithNothingArmedAndHonoursTheLimit() {
        let (driver0, _) = Self.driver(at: 1_000 * Self.ms)
        var driver = driver0
        #expect(driver.waitMilliseconds() == -1)
        #expect(driver.waitMilliseconds(notAfter: 1_250 * Self.ms) == 250)
        #expect(driver.waitMilliseconds(notAfter: 1_250 * Self.ms + 1) == 251)
        #expect(driver.waitMilliseconds(notAfter: 900 * Self.ms) == 0)
        _ = driver.wheel.schedule(at: 1_030 * Self.ms, token: 1)
        #expect(driver.waitMilliseconds() == 30)
        #expect(driver.waitMilliseconds(notAfter: 1_010 * Self.ms) == 10)
        #expect(driver.waitMilliseconds(notAfter: 5_000 * Self.ms) == 30)
    }

    @Test func waitRoundsUpAndClamps() {
        #expect(TimerDriver.millisecondsRoundedUp(from: 0, to: 0) == 0)
        #expect(TimerDriver.millisecondsRoundedUp(from: 0, to: 1) == 1)
        #expect(TimerDriver.millisecondsRoundedUp(from: 0, to: Self.ms) == 1)
        #expect(TimerDriver.millisecondsRoundedUp(from: 0, to: Self.ms + 1) == 2)
        #expect(TimerDriver.millisecondsRoundedUp(from: 10, to: 5) == 0)
        #expect(TimerDriver.millisecondsRoundedUp(from: 0, to: .max - 1) == .max)
        #expect(TimerDriver.millisecondsRoundedUp(from: -5, to: .max) == .max)
        #expect(TimerDriver.millisecondsRoundedUp(from: .max, to: .min) == 0)
    }

    /// A round as `Worker.run` does it: wait, advance the fake clock by what was waited, take the due batch. Timers
    /// fire in deadline order, never early, and at most the millisecond rounding late.
    @Test func roundsFireEveryTimerInOrderNeverEarly() throws {
        let start: Int64 = 3_600_000 * Self.ms + 123_457
        let (driver0, clock) = Self.driver(at: start)
        var driver = driver0
        var rng = SplitMix64(seed: 0xD21E_0001)
        var deadlines: [UInt64: Int64] = [:]
        for token in 0..<UInt64(5000) {
            let deadline = start + Int64.random(in: -Self.ms...(2_000 * Self.ms), using: &rng)
            deadlines[token] = deadline
            _ = driver.wheel.schedule(at: deadline, token: token)
        }
        var fired: [ExpiredTimer] = []
        var rounds = 0
        while driver.wheel.count > 0 {
            rounds += 1
            driver.readClock()
            let wait = driver.waitMilliseconds()
            #expect(wait >= 0)
            clock.now += Int64(wait) * Self.ms
            driver.readClock()
            let batch = driver.takeDue()
            for timer in batch {
                #expect(timer.deadline <= driver.now, "fired early")
                #expect(driver.now - timer.deadline < Self.ms + Self.ms, "later than the rounding allows")
                #expect(deadlines[timer.token] == timer.deadline)
            }
            fired += batch
            #expect(rounds < 100_000)
            if rounds >= 100_000 { break }
        }
        #expect(fired.count == 5000)
        #expect(Set(fired.map(\.token)).count == 5000)
        #expect(zip(fired, fired.dropFirst()).allSatisfy { $0.deadline <= $1.deadline })
        try driver.wheel.validate()
    }

    /// Handlers re-arm while the batch is being iterated, and the driver reuses its two buffers instead of allocating
    /// a fresh one per round.
    @Test func batchesReuseTheirBuffersAndHandlersMayRearm() {
        let (driver0, clock) = Self.driver(at: 0)
        var driver = driver0
        for token in 0..<UInt64(100) { _ = driver.wheel.schedule(at: Int64(token) * 1000, token: token) }
        var addresses: [UnsafeRawPointer?] = []
        // The caller may even keep a batch while taking the next one (a copy-then-clear scheme would then have to
        // allocate a new buffer, at an address different from every live one).
        var previous: [ExpiredTimer] = []
        for round in 0..<6 {
            clock.now += Self.tick
            driver.readClock()
            let batch = driver.takeDue()
            #expect(previous.count == (round == 0 ? 0 : 100))
            previous = batch
            #expect(batch.count == 100, "round \(round)")
            addresses.append(batch.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) })
            for timer in batch {
                // Re-arm each timer one tick later, as an enforcement timer that fired early does.
                _ = driver.wheel.schedule(at: timer.deadline + Self.tick, token: timer.token)
            }
        }
        // Two buffers, alternating: rounds 0, 2, 4 share one, 1, 3, 5 the other.
        #expect(addresses[0] != addresses[1])
        #expect(addresses[2] == addresses[0] && addresses[4] == addresses[0])
        #expect(addresses[3] == addresses[1] && addresses[5] == addresses[1])
    }

    @Test func unixMillisecondsMapOntoTheMonotonicClock() {
        let unixNow: Int64 = 1_800_000_000_000
        // Ahead: the time left on the wall clock, from the monotonic now.
        #expect(TimerDriver.monotonic(unixMilliseconds: unixNow + 1500, unixNow: unixNow, monotonicNow: 42 * Self.ms) == 42 * Self.ms + 1500 * Self.ms)
        // Now or past: fire at the next round.
        #expect(TimerDriver.monotonic(unixMilliseconds: unixNow, unixNow: unixNow, monotonicNow: 42 * Self.ms) == 42 * Self.ms)
        #expect(TimerDriver.monotonic(unixMilliseconds: unixNow - 60_000, unixNow: unixNow, monotonicNow: 42 * Self.ms) == 42 * Self.ms)
        #expect(TimerDriver.monotonic(unixMilliseconds: .min, unixNow: unixNow, monotonicNow: 42 * Self.ms) == 42 * Self.ms)
        // Far away or "never": saturates instead of trapping.
        #expect(TimerDriver.monotonic(unixMilliseconds: .max, unixNow: unixNow, monotonicNow: 42 * Self.ms) == .max)
        #expect(TimerDriver.monotonic(unixMilliseconds: .max, unixNow: -5, monotonicNow: 0) == .max)
        #expect(TimerDriver.monotonic(unixMilliseconds: unixNow + 9_223_372_037_000, unixNow: unixNow, monotonicNow: 1) == .max)
        #expect(TimerDriver.monotonic(unixMilliseconds: unixNow + 9_223_372_036_000, unixNow: unixNow, monotonicNow: 1) == 9_223_372_036_000_000_001)
        #expect(TimerDriver.monotonic(unixMilliseconds: 10, unixNow: 0, monotonicNow: .max - 5) == .max)
    }

    @Test func aNanosecondWallReadingArmsTheDeadlineAtItsInstantNotUpToAMillisecondLate() {
        let unixNow: Int64 = 1_800_000_000_000
        // 0.7 ms past the whole millisecond: 1500 ms ahead on the wall is 1499.3 ms ahead on the monotonic clock.
        let mapped = TimerDriver.monotonic(
            unixMilliseconds: unixNow + 1500, unixNowNanoseconds: unixNow * Self.ms + 700_000, monotonicNow: 42 * Self.ms)
        #expect(mapped == 42 * Self.ms + 1500 * Self.ms - 700_000)
        // Inside the deadline's own millisecond, or past it: fire at the next round.
        #expect(TimerDriver.monotonic(
            unixMilliseconds: unixNow, unixNowNanoseconds: unixNow * Self.ms + 300_000, monotonicNow: 7) == 7)
        #expect(TimerDriver.monotonic(
            unixMilliseconds: unixNow + 1, unixNowNanoseconds: unixNow * Self.ms + 999_999, monotonicNow: 7) == 8)
        #expect(TimerDriver.monotonic(unixMilliseconds: .max, unixNowNanoseconds: unixNow * Self.ms, monotonicNow: 7) == .max)
    }
}
