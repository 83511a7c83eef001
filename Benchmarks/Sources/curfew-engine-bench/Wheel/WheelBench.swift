import CurfewTimer

/// `curfew-engine-bench wheel --timers N --rounds R`: TimerWheel (10 ms tick) against TimerHeap on identical inputs;
/// each figure is the median over the rounds of operations per CPU second.
enum WheelBench {
    static let flagNames: Set<String> = ["timers", "rounds"]
    static let defaultTimers = 1_000_000
    static let defaultRounds = 3
    /// The slab indexes timers with Int32 and the expire check keeps one flag per timer: 50M is far past any worker.
    static let maxTimers = 50_000_000
    /// Below this many timers a narrow spread of random deadlines is plausible, so the input check is skipped.
    static let minimumTimersForSpreadCheck = 100

    static func run(_ arguments: ArraySlice<String>) throws(UsageError) -> (report: JSONObject, problems: [String]) {
        let flags = try Flags(arguments, known: flagNames)
        let timers = try flags.integer("timers", default: defaultTimers, in: 1...maxTimers)
        let rounds = try flags.integer("rounds", default: defaultRounds, in: 1...100)

        let workload = WheelWorkload(timers: timers)
        var problems: [String] = []
        // Guards the inputs themselves (a broken draw once made every deadline equal, and every phase still "passed").
        if timers >= minimumTimersForSpreadCheck, let low = workload.initial.min(), let high = workload.initial.max(),
            Double(high - low) < 0.9 * Double(WheelWorkload.spanNanoseconds)
        {
            problems.append("workload: deadlines span only \(high - low) ns of \(WheelWorkload.spanNanoseconds)")
        }
        var wheelRounds: [PhaseRates] = []
        var heapRounds: [PhaseRates] = []
        for round in 0..<rounds {
            // Alternate which queue goes first so neither always runs on a warmer (or more fragmented) heap.
            let wheelFirst = round % 2 == 0
            for runWheel in wheelFirst ? [true, false] : [false, true] {
                if runWheel {
                    var wheel = QueueRound("wheel", workload: workload) {
                        TimerWheel(tick: WheelWorkload.tickNanoseconds, now: WheelWorkload.startNanoseconds)
                    }
                    wheelRounds.append(wheel.run())
                    problems += wheel.problems
                } else {
                    var heap = QueueRound("heap", workload: workload) { TimerHeap(now: WheelWorkload.startNanoseconds) }
                    heapRounds.append(heap.run())
                    problems += heap.problems
                }
            }
        }

        let wheel = medians(wheelRounds)
        let heap = medians(heapRounds)
        var report = JSONObject()
        report.add("bench", "wheel")
        report.add("timers", timers)
        report.add("rounds", rounds)
        report.add("tick_ms", Int(WheelWorkload.tickNanoseconds / 1_000_000))
        report.add("wheel", rateObject(wheel))
        report.add("heap", rateObject(heap))
        // Wheel over heap: above 1 the wheel is faster.
        var ratio = JSONObject()
        ratio.add("schedule", wheel.schedule / heap.schedule)
        ratio.add("cancel", wheel.cancel / heap.cancel)
        ratio.add("schedule_cancel", wheel.scheduleCancel / heap.scheduleCancel)
        ratio.add("reschedule", wheel.reschedule / heap.reschedule)
        ratio.add("expire", wheel.expire / heap.expire)
        report.add("ratio", ratio)
        report.add("ok", problems.isEmpty)
        return (report, problems)
    }

    private static func medians(_ rounds: [PhaseRates]) -> PhaseRates {
        PhaseRates(
            schedule: Percentiles.median(rounds.map(\.schedule)),
            cancel: Percentiles.median(rounds.map(\.cancel)),
            scheduleCancel: Percentiles.median(rounds.map(\.scheduleCancel)),
            reschedule: Percentiles.median(rounds.map(\.reschedule)),
            expire: Percentiles.median(rounds.map(\.expire)))
    }

    private static func rateObject(_ rates: PhaseRates) -> JSONObject {
        var object = JSONObject()
        object.add("schedule_per_s", rates.schedule, decimals: 0)
        object.add("cancel_per_s", rates.cancel, decimals: 0)
        object.add("schedule_cancel_per_s", rates.scheduleCancel, decimals: 0)
        object.add("reschedule_per_s", rates.reschedule, decimals: 0)
        object.add("expire_per_s", rates.expire, decimals: 0)
        return object
    }
}
