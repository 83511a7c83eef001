import Testing
@testable import CurfewTimer

/// Behaviour both queues must share, run against the wheel and the heap alike.
@Suite struct TimerQueueBasicTests {
    static let tick: Int64 = 10_000_000
    static let start: Int64 = 1_000_000_000_000

    @Test(arguments: [true, false])
    func emptyQueueHasNoWakeup(wheel: Bool) throws {
        var queue: any TimerQueue = wheel ? TimerWheel(tick: Self.tick, now: Self.start) : TimerHeap()
        #expect(queue.nextWakeup() == nil)
        #expect(queue.count == 0)
        #expect(queue.expire(now: Self.start + 1_000_000_000_000).isEmpty)
        let id = queue.schedule(at: Self.start + 5, token: 1)
        #expect(queue.nextWakeup() != nil)
        #expect(queue.expire(now: Self.start + 5).map(\.id) == [id])
        #expect(queue.nextWakeup() == nil)
        #expect(queue.count == 0)
        try queue.validate()
    }

    @Test(arguments: [true, false])
    func staleIdsAreRejected(wheel: Bool) throws {
        var queue: any TimerQueue = wheel ? TimerWheel(tick: Self.tick, now: Self.start) : TimerHeap()
        let first = queue.schedule(at: Self.start + 50_000_000, token: 1)
        let result27 = queue.cancel(first)
        #expect(result27)
        let result28 = queue.cancel(first)
        #expect(!result28)
        let result29 = queue.reschedule(first, at: Self.start)
        #expect(!result29)
        #expect(queue.deadline(of: first) == nil)
        // The freed slab entry is reused with a new generation: the old id must not reach the new timer.
        let second = queue.schedule(at: Self.start + 60_000_000, token: 2)
        #expect(second.index == first.index)
        #expect(second != first)
        let result35 = queue.cancel(first)
        #expect(!result35)
        #expect(queue.deadline(of: second) == Self.start + 60_000_000)
        // Fired ids are stale too.
        let fired = queue.expire(now: Self.start + 60_000_000)
        #expect(fired == [ExpiredTimer(id: second, token: 2, deadline: Self.start + 60_000_000)])
        let result40 = queue.cancel(second)
        #expect(!result40)
        let result41 = queue.reschedule(second, at: Self.start)
        #expect(!result41)
        // An id that was never issued.
        let result43 = queue.cancel(TimerID(index: 12345, generation: 0))
        #expect(!result43)
        #expect(queue.deadline(of: TimerID(index: 12345, generation: 0)) == nil)
        try queue.validate()
    }

    @Test(arguments: [true, false])
    func pastDeadlinesFireAtTheNextExpire(wheel: Bool) throws {
        var queue: any TimerQueue = wheel ? TimerWheel(tick: Self.tick, now: Self.start) : TimerHeap()
        _ = queue.expire(now: Self.start + 1_000_000_000)
        let now = Self.start + 1_000_000_000
        _ = queue.schedule(at: now - 5_000_000_000, token: 1)
        _ = queue.schedule(at: Int64.min, token: 2)
        _ = queue.schedule(at: -1, token: 3)
        _ = queue.schedule(at: now, token: 4)
        _ = queue.schedule(at: now + 1, token: 5)
        try queue.validate()
        let wake = try #require(queue.nextWakeup())
        #expect(wake <= now + Self.tick)
        let fired = queue.expire(now: now)
        #expect(fired.map(\.token) == [2, 3, 1, 4])
        #expect(queue.count == 1)
        #expect(queue.expire(now: now + 1).map(\.token) == [5])
        try queue.validate()
    }

    @Test(arguments: [true, false])
    func subTickDeadlinesNeverFireEarly(wheel: Bool) throws {
        var queue: any TimerQueue = wheel ? TimerWheel(tick: Self.tick, now: Self.start) : TimerHeap()
        let deadline = Self.start + 15_000_001
        _ = queue.schedule(at: deadline, token: 7)
        #expect(try #require(queue.nextWakeup()) <= roundUp(deadline, to: Self.tick))
        for now in stride(from: Self.start, to: deadline, by: 1_000_000) {
            #expect(queue.expire(now: now).isEmpty)
            try queue.validate()
        }
        #expect(queue.expire(now: deadline - 1).isEmpty)
        // The wheel now sits in the deadline's tick; the wakeup must still not be after the rounded deadline.
        #expect(try #require(queue.nextWakeup()) <= roundUp(deadline, to: Self.tick))
        #expect(try #require(queue.nextWakeup()) > deadline - 1)
        #expect(queue.expire(now: deadline).map(\.token) == [7])
    }

    @Test(arguments: [true, false])
    func tiesFireInScheduleOrderAndRescheduleMovesToTheBack(wheel: Bool) throws {
        var queue: any TimerQueue = wheel ? TimerWheel(tick: Self.tick, now: Self.start) : TimerHeap()
        let deadline = Self.start + 3 * 86_400_000_000_000  // on a high level: ordering must survive cascades
        let ids = (0..<5).map { queue.schedule(at: deadline, token: UInt64($0)) }
        _ = queue.schedule(at: deadline - 1, token: 99)
        let result91 = queue.reschedule(ids[1], at: deadline)
        #expect(result91)
        #expect(queue.deadline(of: ids[1]) == deadline)
        try queue.validate()
        #expect(queue.expire(now: deadline - 2).isEmpty)
        #expect(queue.expire(now: deadline).map(\.token) == [99, 0, 2, 3, 4, 1])
    }

    @Test(arguments: [true, false])
    func farDeadlinesBeyondTheWheelSpan(wheel: Bool) throws {
        var queue: any TimerQueue = wheel ? TimerWheel(tick: 1_000_000, now: Self.start) : TimerHeap()
        let day: Int64 = 86_400_000_000_000
        _ = queue.schedule(at: Self.start + 2000 * day, token: 1)  // overflow at 1 ms (wheel spans ~795 days)
        _ = queue.schedule(at: Int64.max, token: 2)
        _ = queue.schedule(at: Self.start + 400 * day, token: 3)
        try queue.validate()
        #expect(queue.expire(now: Self.start + 400 * day - 1).isEmpty)
        try queue.validate()
        #expect(queue.expire(now: Self.start + 1999 * day).map(\.token) == [3])
        try queue.validate()
        #expect(queue.expire(now: Self.start + 2000 * day - 1).isEmpty)
        #expect(queue.expire(now: Self.start + 2000 * day).map(\.token) == [1])
        #expect(queue.expire(now: Int64.max - 1).isEmpty)
        try queue.validate()
        #expect(queue.expire(now: Int64.max).map(\.token) == [2])
        #expect(queue.nextWakeup() == nil)
    }

    @Test func wheelReusesItsSlab() throws {
        var wheel = TimerWheel(tick: Self.tick, now: Self.start)
        var ids = (0..<1000).map { wheel.schedule(at: Self.start + Int64($0) * 1_000_000, token: UInt64($0)) }
        let peak = wheel.slabCapacity
        for id in ids {
            let cancelled = wheel.cancel(id)
            #expect(cancelled)
        }
        ids = (0..<1000).map { wheel.schedule(at: Self.start + Int64($0) * 7_000_000, token: UInt64($0)) }
        #expect(wheel.slabCapacity == peak)
        #expect(wheel.count == 1000)
        try wheel.validate()
    }
}
