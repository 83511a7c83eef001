import CurfewTimer

/// Operations per CPU second of one queue in one round, one figure per phase.
struct PhaseRates {
    var schedule = 0.0
    var cancel = 0.0
    /// Pairs per second: cancel one random live timer and schedule a new one, with `timers` live throughout (a
    /// connection closes, another opens).
    var scheduleCancel = 0.0
    var reschedule = 0.0
    /// Timers handed back by `expire` per CPU second, the clock stepped one tick at a time until the queue is empty.
    var expire = 0.0
}

/// One round of the five timed phases on one kind of queue.
///
/// Generic so that the wheel and the heap run literally the same loops (the optimiser specialises it per queue; the
/// queue's own methods are called across the module boundary, as the runtime calls them). Only the queue operations
/// sit between the clock reads: checks run after each timed loop, `validate()` once per phase.
struct QueueRound<Queue: TimerQueue> {
    let workload: WheelWorkload
    /// An empty queue at the workload's start time.
    let make: () -> Queue
    /// Every failed check, in words; any entry makes the subcommand exit 1.
    private(set) var problems: [String] = []
    private let label: String

    init(_ label: String, workload: WheelWorkload, make: @escaping () -> Queue) {
        self.label = label
        self.workload = workload
        self.make = make
    }

    mutating func run() -> PhaseRates {
        let n = workload.timers
        var rates = PhaseRates()
        var ids = [TimerID](repeating: TimerID(index: 0, generation: 0), count: n)
        // What each slot's timer should be due at, kept outside the timed loops.
        var expected = workload.initial

        // (a) schedule into an empty queue: includes growing the slab to `n`, as a worker's first million does.
        var queue = make()
        var start = Clocks.threadCPUNanoseconds()
        for i in 0..<n { ids[i] = queue.schedule(at: workload.initial[i], token: UInt64(i)) }
        rates.schedule = rate(n, since: start)
        check(queue, ids: ids, expected: expected, live: n, phase: "schedule")

        // (b) cancel every timer, in random order.
        var refused = 0
        start = Clocks.threadCPUNanoseconds()
        for k in 0..<n {
            if !queue.cancel(ids[Int(workload.cancelOrder[k])]) { refused += 1 }
        }
        rates.cancel = rate(n, since: start)
        if refused > 0 { fail("cancel refused \(refused) live ids") }
        if n > 0, queue.cancel(ids[0]) { fail("cancel accepted a stale id") }
        check(queue, ids: [], expected: [], live: 0, phase: "cancel")

        // (c) schedule+cancel pairs on a full queue.
        queue = make()
        for i in 0..<n { ids[i] = queue.schedule(at: workload.initial[i], token: UInt64(i)) }
        refused = 0
        start = Clocks.threadCPUNanoseconds()
        for k in 0..<n {
            let slot = Int(workload.replaceOrder[k])
            if !queue.cancel(ids[slot]) { refused += 1 }
            ids[slot] = queue.schedule(at: workload.replacement[k], token: UInt64(slot))
        }
        rates.scheduleCancel = rate(n, since: start)
        for k in 0..<n { expected[Int(workload.replaceOrder[k])] = workload.replacement[k] }
        if refused > 0 { fail("schedule+cancel: cancel refused \(refused) live ids") }
        check(queue, ids: ids, expected: expected, live: n, phase: "schedule+cancel")

        // (d) reschedule random live timers to new deadlines (heartbeats, refreshed tokens).
        refused = 0
        start = Clocks.threadCPUNanoseconds()
        for k in 0..<n {
            if !queue.reschedule(ids[Int(workload.moveOrder[k])], at: workload.moved[k]) { refused += 1 }
        }
        rates.reschedule = rate(n, since: start)
        for k in 0..<n { expected[Int(workload.moveOrder[k])] = workload.moved[k] }
        if refused > 0 { fail("reschedule refused \(refused) live ids") }
        check(queue, ids: ids, expected: expected, live: n, phase: "reschedule")

        // (e) expire everything, one tick at a time.
        rates.expire = expireAll(&queue, expected: expected)
        return rates
    }

    /// Steps the simulated clock by one tick per `expire` call until the queue is empty. Expired timers accumulate in
    /// one pre-faulted array (with the step boundaries) so that the timed loop holds nothing but the queue's work;
    /// they are checked afterwards.
    private mutating func expireAll(_ queue: inout Queue, expected: [Int64]) -> Double {
        let n = workload.timers
        let tick = WheelWorkload.tickNanoseconds
        let bound = workload.expireStepBound
        var expired = [ExpiredTimer](
            repeating: ExpiredTimer(id: TimerID(index: 0, generation: 0), token: 0, deadline: 0), count: n)
        expired.removeAll(keepingCapacity: true)  // pages touched now, not inside the timed loop
        var stepEnds = [Int](repeating: 0, count: bound)
        var now = WheelWorkload.startNanoseconds
        var steps = 0
        let start = Clocks.threadCPUNanoseconds()
        while queue.count > 0, steps < bound {
            now += tick
            queue.expire(now: now, into: &expired)
            stepEnds[steps] = expired.count
            steps += 1
        }
        let result = rate(expired.count, since: start)

        if expired.count != n || queue.count != 0 {
            fail("expire: \(expired.count) of \(n) timers expired in \(steps) steps, \(queue.count) left")
        }
        var seen = [Bool](repeating: false, count: n)
        var early = 0, late = 0, unordered = 0, wrong = 0
        var from = 0
        for step in 0..<steps {
            let stepNow = WheelWorkload.startNanoseconds + Int64(step + 1) * tick
            var previous = Int64.min
            for timer in expired[from..<stepEnds[step]] {
                if timer.deadline > stepNow { early += 1 }
                // Due at an earlier step's `now` but handed back only now.
                if step > 0, timer.deadline <= stepNow - tick { late += 1 }
                if timer.deadline < previous { unordered += 1 }
                previous = timer.deadline
                let slot = Int(timer.token)
                if slot >= n || seen[slot] || expected[slot] != timer.deadline { wrong += 1 } else { seen[slot] = true }
            }
            from = stepEnds[step]
        }
        if early + late + unordered + wrong > 0 {
            fail("expire: \(early) early, \(late) late, \(unordered) out of order, \(wrong) unknown/duplicate/wrong deadline")
        }
        do { try queue.validate() } catch { fail("expire: \(error)") }
        return result
    }

    /// After a phase: the live count, every id's deadline, and the queue's own invariants.
    private mutating func check(_ queue: Queue, ids: [TimerID], expected: [Int64], live: Int, phase: String) {
        if queue.count != live { fail("\(phase): count \(queue.count), expected \(live)") }
        var wrong = 0
        for (slot, id) in ids.enumerated() where queue.deadline(of: id) != expected[slot] { wrong += 1 }
        if wrong > 0 { fail("\(phase): \(wrong) timers have the wrong deadline or a dead id") }
        do { try queue.validate() } catch { fail("\(phase): \(error)") }
    }

    private func rate(_ operations: Int, since start: Int64) -> Double {
        let seconds = Double(Clocks.threadCPUNanoseconds() - start) / 1e9
        return Double(operations) / seconds
    }

    private mutating func fail(_ message: String) {
        // Multi-line validate() reports are folded so each problem stays one stderr line.
        problems.append("\(label) " + message.split(separator: "\n").joined(separator: "; "))
    }
}
