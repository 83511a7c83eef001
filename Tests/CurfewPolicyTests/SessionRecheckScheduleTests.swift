import Testing

@testable import CurfewPolicy

@Suite struct SessionRecheckScheduleTests {
    @Test func noJitterIsTheInterval() {
        let schedule = SessionRecheckSchedule(interval: 60_000)
        #expect(schedule.nextCheck(after: 1_000_000, jitter: 0) == 1_060_000)
    }

    @Test func jitterIsAtMostTenPercentEitherWay() {
        let schedule = SessionRecheckSchedule(interval: 60_000)
        #expect(schedule.nextCheck(after: 0, jitter: 1) == 66_000)
        #expect(schedule.nextCheck(after: 0, jitter: -1) == 54_000)
        #expect(schedule.nextCheck(after: 0, jitter: 0.5) == 63_000)
        #expect(schedule.nextCheck(after: 0, jitter: -0.25) == 58_500)
    }

    @Test func outOfRangeJitterIsClamped() {
        let schedule = SessionRecheckSchedule(interval: 60_000)
        #expect(schedule.nextCheck(after: 0, jitter: 7) == 66_000)
        #expect(schedule.nextCheck(after: 0, jitter: -.infinity) == 54_000)
        #expect(schedule.nextCheck(after: 0, jitter: .nan) == 60_000)
    }

    @Test func alwaysAfterNow() {
        #expect(SessionRecheckSchedule(interval: 0).interval == 1)
        #expect(SessionRecheckSchedule(interval: 1).nextCheck(after: 5, jitter: -1) == 6)
        #expect(SessionRecheckSchedule(interval: 10).nextCheck(after: Int64.max - 3, jitter: 0) == Int64.max)
    }

    @Test func spreadCoversTheWholeBand() {
        let schedule = SessionRecheckSchedule(interval: 1000)
        var seen = Set<Int64>()
        for step in 0...200 {
            let jitter = Double(step) / 100 - 1
            let next = schedule.nextCheck(after: 0, jitter: jitter)
            #expect((900...1100).contains(next))
            seen.insert(next)
        }
        #expect(seen.min() == 900)
        #expect(seen.max() == 1100)
    }

    @Test func sharedCheckWindowIsShorterThanTheEarliestJitteredCheck() {
        for interval: Int64 in [1, 10, 999, 1000, 30_000, 86_400_000] {
            let schedule = SessionRecheckSchedule(interval: interval)
            let earliest = schedule.nextCheck(after: 0, jitter: -1)
            #expect(schedule.sharedCheckWindow >= 1)
            #expect(schedule.sharedCheckWindow < earliest || earliest == 1, "\(interval)")
        }
        #expect(SessionRecheckSchedule(interval: 1000).sharedCheckWindow == 800)
    }
}
