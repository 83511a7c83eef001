import Testing
@testable import CurfewTimer

/// Random schedules, cancels and reschedules applied to the wheel and to `TimerHeap` (the oracle) in lock
/// step; every `expire` batch must match exactly, and both must validate after every step.
@Suite struct TimerWheelOracleTests {
    /// The live timers of the run, keyed by token, with O(1) random pick and removal.
    struct LiveSet {
        var tokens: [UInt64] = []
        var position: [UInt64: Int] = [:]
        var ids: [UInt64: (wheel: TimerID, heap: TimerID)] = [:]

        mutating func insert(_ token: UInt64, wheel: TimerID, heap: TimerID) {
            position[token] = tokens.count
            tokens.append(token)
            ids[token] = (wheel, heap)
        }

        mutating func remove(_ token: UInt64) -> (wheel: TimerID, heap: TimerID)? {
            guard let at = position.removeValue(forKey: token) else { return nil }
            let last = tokens.removeLast()
            if last != token {
                tokens[at] = last
                position[last] = at
            }
            return ids.removeValue(forKey: token)
        }
    }

    /// A deadline relative to `now` drawn from a mix of spans, from the past to far beyond the wheel.
    static func randomDeadline(now: Int64, using rng: inout SplitMix64) -> Int64 {
        let ms: Int64 = 1_000_000
        let day: Int64 = 86_400_000 * ms
        switch rng.next() % 100 {
        case 0..<3: return now - Int64.random(in: 0...(10 * day), using: &rng)  // already past
        case 3..<60: return now + Int64.random(in: 0...(10 * 60_000 * ms), using: &rng)  // within 10 minutes
        case 60..<85: return now + Int64.random(in: 0...(2 * day), using: &rng)  // session / JWT lifetimes
        case 85..<97: return now + Int64.random(in: 0...(500 * day), using: &rng)  // long max ages
        default: return now + Int64.random(in: 0...(3000 * day), using: &rng)  // beyond the wheel: overflow
        }
    }

    @Test(arguments: [(seed: UInt64(0x5EED_0001), tick: Int64(1_000_000)), (seed: 0x5EED_0002, tick: 10_000_000)])
    func randomScheduleCancelRescheduleMatchesHeap(seed: UInt64, tick: Int64) throws {
        var rng = SplitMix64(seed: seed)
        var now: Int64 = 7_777_777_777_777
        var wheel = TimerWheel(tick: tick, now: now)
        var heap = TimerHeap()
        var live = LiveSet()
        var everFired = Set<UInt64>()
        var nextToken: UInt64 = 0
        var scheduled = 0
        var cancelled = 0

        func scheduleOne() {
            let deadline = Self.randomDeadline(now: now, using: &rng)
            let token = nextToken
            nextToken += 1
            scheduled += 1
            live.insert(token, wheel: wheel.schedule(at: deadline, token: token), heap: heap.schedule(at: deadline, token: token))
        }

        for _ in 0..<100_000 { scheduleOne() }
        try wheel.validate()
        try heap.validate()

        var steps = 0
        var wheelBatch: [ExpiredTimer] = []
        var heapBatch: [ExpiredTimer] = []
        while heap.count > 0 {
            steps += 1
            // Mutations between steps, as a worker does between epoll wakeups.
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                switch rng.next() % 3 {
                case 0:
                    if steps < 300 { scheduleOne() }
                case 1:
                    guard let token = live.tokens.randomElement(using: &rng), let ids = live.remove(token) else { break }
                    let result79 = wheel.cancel(ids.wheel)
                    #expect(result79)
                    let result80 = heap.cancel(ids.heap)
                    #expect(result80)
                    let result81 = wheel.cancel(ids.wheel)
                    #expect(!result81)
                    cancelled += 1
                default:
                    guard let token = live.tokens.randomElement(using: &rng), let ids = live.ids[token] else { break }
                    let deadline = Self.randomDeadline(now: now, using: &rng)
                    let result86 = wheel.reschedule(ids.wheel, at: deadline)
                    #expect(result86)
                    let result87 = heap.reschedule(ids.heap, at: deadline)
                    #expect(result87)
                    #expect(wheel.deadline(of: ids.wheel) == deadline)
                }
            }
            #expect(wheel.count == heap.count)

            // The wakeup may be early but never after the earliest deadline rounded up to a tick.
            if let earliest = heap.nextWakeup() {
                let wake = try #require(wheel.nextWakeup())
                #expect(wake <= max(roundUp(earliest, to: tick), now))
            } else {
                #expect(wheel.nextWakeup() == nil)
            }

            // Advance by a random step: mostly small, sometimes by hours or months, rarely by years.
            let magnitude = Int(rng.next() % 100)
            let step: Int64 =
                switch magnitude {
                case 0..<50: Int64.random(in: 0...(3 * tick), using: &rng)
                case 50..<80: Int64.random(in: 0...(1 << 36), using: &rng)  // ~1 minute
                case 80..<97: Int64.random(in: 0...(1 << 47), using: &rng)  // ~1.6 days
                default: Int64.random(in: 0...(1 << 55), using: &rng)  // ~1 year
                }
            let previous = now
            now += step
            // Once new scheduling stops, also jump straight to the next wakeup now and then (what epoll does).
            if steps >= 300, magnitude % 2 == 0, let wake = wheel.nextWakeup() { now = max(previous, wake) }

            wheelBatch.removeAll(keepingCapacity: true)
            heapBatch.removeAll(keepingCapacity: true)
            wheel.expire(now: now, into: &wheelBatch)
            heap.expire(now: now, into: &heapBatch)
            #expect(wheelBatch.map(\.token) == heapBatch.map(\.token))
            #expect(wheelBatch.map(\.deadline) == heapBatch.map(\.deadline))
            for timer in wheelBatch {
                #expect(timer.deadline <= now, "fired early")
                #expect(everFired.insert(timer.token).inserted, "fired twice")
                #expect(live.remove(timer.token)?.wheel == timer.id)
            }
            #expect(zip(wheelBatch, wheelBatch.dropFirst()).allSatisfy { $0.deadline <= $1.deadline })
            if let wake = wheel.nextWakeup() { #expect(wake > now, "a wakeup in the past would spin the loop") }
            try wheel.validate()
            try heap.validate()
            #expect(steps < 20_000)
            if steps >= 20_000 { break }
        }
        #expect(wheel.count == 0)
        #expect(live.tokens.isEmpty)
        #expect(everFired.count + cancelled == scheduled, "every timer fired or was cancelled, none lost")
        #expect(wheel.nextWakeup() == nil)
    }
}

/// The current tick's sorted run: many timers crowded into a few ticks, the clock stepped by fractions of a tick, and
/// between steps cancels and reschedules of timers already read into the run, new timers filed under the current
/// tick (past, now, later in the tick) — every batch must match the heap exactly and both must validate.
@Suite struct TimerWheelCurrentTickTests {
    @Test(arguments: [UInt64(0xC0DE_0001), 0xC0DE_0002, 0xC0DE_0003])
    func crowdedTicksMatchHeap(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let tick: Int64 = 10_000_000
        var now: Int64 = 5_000_000_123
        var wheel = TimerWheel(tick: tick, now: now)
        var heap = TimerHeap()
        var live = TimerWheelOracleTests.LiveSet()
        var nextToken: UInt64 = 0

        func schedule(at deadline: Int64) {
            let token = nextToken
            nextToken += 1
            live.insert(token, wheel: wheel.schedule(at: deadline, token: token), heap: heap.schedule(at: deadline, token: token))
        }
        // 20,000 timers over 8 ticks, with many exact ties.
        for _ in 0..<20_000 { schedule(at: now + Int64.random(in: 0..<(8 * tick), using: &rng) / 1000 * 1000) }

        var batches = 0
        var wheelBatch: [ExpiredTimer] = []
        var heapBatch: [ExpiredTimer] = []
        while heap.count > 0 {
            for _ in 0..<Int.random(in: 0...60, using: &rng) {
                switch rng.next() % 5 {
                case 0:  // cancel
                    guard let token = live.tokens.randomElement(using: &rng), let ids = live.remove(token) else { break }
                    let cancelled = (wheel.cancel(ids.wheel), heap.cancel(ids.heap))
                    #expect(cancelled == (true, true))
                case 1:  // reschedule within the next tick or so
                    guard let token = live.tokens.randomElement(using: &rng), let ids = live.ids[token] else { break }
                    let deadline = now + Int64.random(in: -tick...(2 * tick), using: &rng)
                    let moved = (wheel.reschedule(ids.wheel, at: deadline), heap.reschedule(ids.heap, at: deadline))
                    #expect(moved == (true, true))
                case 2:  // new timer in the current tick, possibly in the past or exactly now
                    if batches < 400 { schedule(at: now + Int64.random(in: -tick...tick, using: &rng)) }
                case 3:  // same deadline as a live timer (a tie filed later)
                    if batches < 400, let token = live.tokens.randomElement(using: &rng), let ids = live.ids[token],
                        let deadline = heap.deadline(of: ids.heap)
                    {
                        schedule(at: deadline)
                    }
                default:
                    break
                }
            }
            if let earliest = heap.nextWakeup() {
                let wake = try #require(wheel.nextWakeup())
                #expect(wake <= max(roundUp(earliest, to: tick), now))
            }
            // Sub-tick steps, sometimes straight to the wheel's wakeup, now and then a whole tick or more.
            switch rng.next() % 10 {
            case 0..<6: now += Int64.random(in: 0...(tick / 3), using: &rng)
            case 6..<9: if let wake = wheel.nextWakeup() { now = max(now, wake) }
            default: now += Int64.random(in: 0...(3 * tick), using: &rng)
            }
            wheelBatch.removeAll(keepingCapacity: true)
            heapBatch.removeAll(keepingCapacity: true)
            wheel.expire(now: now, into: &wheelBatch)
            heap.expire(now: now, into: &heapBatch)
            batches += 1
            #expect(wheelBatch == heapBatch.map { ExpiredTimer(id: live.ids[$0.token]!.wheel, token: $0.token, deadline: $0.deadline) })
            for timer in wheelBatch { _ = live.remove(timer.token) }
            if let wake = wheel.nextWakeup() { #expect(wake > now, "a wakeup in the past would spin the loop") }
            try wheel.validate()
            try heap.validate()
            if batches > 5000 { break }
        }
        #expect(wheel.count == 0)
        #expect(heap.count == 0)
    }

    /// A cancel after `expire` may leave the run's head dead: the wakeup is then early (never late), and the early
    /// `expire` hands back nothing and makes the wakeup exact again.
    @Test func cancellingTheRunHeadOnlyMakesTheWakeupEarly() throws {
        let tick: Int64 = 10_000_000
        var wheel = TimerWheel(tick: tick, now: 0)
        let first = wheel.schedule(at: 2_000_000, token: 1)
        _ = wheel.schedule(at: 7_000_000, token: 2)
        #expect(wheel.expire(now: 1_000_000).isEmpty)  // both read into the run
        #expect(wheel.nextWakeup() == 2_000_000)
        let cancelled = wheel.cancel(first)
        #expect(cancelled)
        try wheel.validate()
        #expect(wheel.nextWakeup() == 2_000_000)
        #expect(wheel.expire(now: 2_000_000).isEmpty)
        #expect(wheel.nextWakeup() == 7_000_000)
        // A timer filed under the current tick after the run was built is seen at once.
        _ = wheel.schedule(at: 3_000_000, token: 3)
        #expect(wheel.nextWakeup() == 3_000_000)
        #expect(wheel.expire(now: 7_000_000).map(\.token) == [3, 2])
        #expect(wheel.nextWakeup() == nil)
        try wheel.validate()

        // Dead records right behind the popped ones are dropped by the same `expire`: the wakeup is exact again.
        _ = wheel.schedule(at: 12_000_000, token: 4)
        let dead = wheel.schedule(at: 15_000_000, token: 5)
        _ = wheel.schedule(at: 18_000_000, token: 6)
        #expect(wheel.expire(now: 11_000_000).isEmpty)
        let cancelledAgain = wheel.cancel(dead)
        #expect(cancelledAgain)
        #expect(wheel.expire(now: 12_000_000).map(\.token) == [4])
        #expect(wheel.nextWakeup() == 18_000_000)
        try wheel.validate()
    }
}
