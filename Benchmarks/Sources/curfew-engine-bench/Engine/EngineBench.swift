#if canImport(Glibc)
import Glibc
#endif
import CurfewNet
import CurfewPolicy

/// `curfew-engine-bench engine --connections N --window-ms W --lead-ms L --tick-ms T`: N websockets whose JWTs expire
/// uniformly over a W ms window starting L ms after set-up begins, driven by a worker loop with the real clock, real
/// sleeps and the real tick. Reports cut lateness (wall clock at the cut minus the deadline), which includes the
/// sleep granularity (epoll_wait's whole milliseconds), the tick and the per-cut work: nothing is subtracted.
enum EngineBench {
    static let flagNames: Set<String> = ["connections", "window-ms", "lead-ms", "tick-ms"]
    /// After the last deadline the loop gives up this much later and counts what is left as missed.
    static let graceAfterWindowMilliseconds: Int64 = 10_000

    static func run(_ arguments: ArraySlice<String>) throws(UsageError) -> (report: JSONObject, problems: [String]) {
        let flags = try Flags(arguments, known: flagNames)
        let count = try flags.integer("connections", default: 1_000_000, in: 1...20_000_000)
        let window = Int64(try flags.integer("window-ms", default: 1000, in: 1...600_000))
        let lead = Int64(try flags.integer("lead-ms", default: 1500, in: 0...600_000))
        let tick = Int64(try flags.integer("tick-ms", default: 10, in: 1...10_000))

        let workload = EngineWorkload(connections: count)
        // The worker (epoll set, wheel, table and record capacity) exists before set-up starts, as a real worker
        // exists before its first connection.
        let worker: EngineWorker
        do {
            worker = try EngineWorker(tick: tick * 1_000_000, expectedConnections: count)
        } catch {
            StandardError.line("cannot create the event loop: \(error)")
            exit(1)
        }
        let rssBeforeSetup = Clocks.currentRSSBytes()
        let setupStartMonotonic = MonotonicClock.nanoseconds()
        let setupStartWall = WallClock.milliseconds()
        let windowStart = setupStartWall + lead
        let stopAt = setupStartMonotonic + (lead + window + graceAfterWindowMilliseconds) * 1_000_000

        // Set-up: every connection opens (one after another, as if accepted back to back) and arms its deadline.
        for index in 0..<count {
            let credential = workload.credential(
                index, windowStart: windowStart, windowMilliseconds: window, issuedAt: setupStartWall - 60_000)
            worker.open(
                id: UInt64(index + 1), credential: credential, maxAge: EngineWorkload.maxAgeMilliseconds,
                remoteLabel: workload.remotes[index], path: EngineWorkload.path)
        }
        let setupSeconds = Double(MonotonicClock.nanoseconds() - setupStartMonotonic) / 1e9
        // What enforcement itself holds per connection: the record (state machine inside), its table slot, its wheel
        // entry, and the credential strings it keeps alive (already allocated by the workload, so not counted).
        let bytesPerConnection = Double(Clocks.currentRSSBytes() - rssBeforeSetup) / Double(count)
        // Deadlines already past when set-up ended: set-up overran the lead and they start late.
        let setupEndWall = WallClock.milliseconds()
        let pastAtSetupEnd = worker.connections.values.reduce(0) {
            $0 + (($1.enforcement.deadline ?? .max) <= setupEndWall ? 1 : 0)
        }

        let cpuBefore = Clocks.processCPUSeconds()
        worker.run(until: stopAt)
        let loopCPU = Clocks.processCPUSeconds() - cpuBefore

        var problems: [String] = []
        let tally = worker.tally
        let cut = tally.count - tally.repeated
        let missed = count - cut
        if missed > 0 { problems.append("\(missed) connections were never cut") }
        if tally.early > 0 { problems.append("\(tally.early) connections were cut before their deadline") }
        if worker.log.truncatedLines > 0 { problems.append("\(worker.log.truncatedLines) log lines did not fit the buffer") }
        if tally.repeated > 0 { problems.append("\(tally.repeated) cuts hit an already cut connection") }
        if missed == 0, worker.timers.wheel.count != 0 { problems.append("\(worker.timers.wheel.count) timers left in the wheel") }
        do { try worker.timers.wheel.validate() } catch {
            problems.append("wheel: " + "\(error)".split(separator: "\n").joined(separator: "; "))
        }

        let lateness = tally.sortedLatenessMilliseconds()
        var latenessObject = JSONObject()
        latenessObject.add("p50", Percentiles.nearestRank(lateness, 50))
        latenessObject.add("p99", Percentiles.nearestRank(lateness, 99))
        latenessObject.add("max", lateness.last ?? .nan)
        latenessObject.add("min", lateness.first ?? .nan)

        var report = JSONObject()
        report.add("bench", "engine")
        report.add("connections", count)
        report.add("cut", cut)
        report.add("missed", missed)
        report.add("early", tally.early)
        report.add("lateness_ms", latenessObject)
        report.add("setup_s", setupSeconds)
        // Peak of the whole process, the benchmark's own arrays (workload, records, lateness samples) included.
        report.add("rss_mb", Clocks.peakRSSMegabytes(), decimals: 1)
        report.add("setup_bytes_per_connection", bytesPerConnection, decimals: 0)
        report.add("window_ms", Int(window))
        report.add("lead_ms", Int(lead))
        report.add("tick_ms", Int(tick))
        report.add("past_at_setup_end", pastAtSetupEnd)
        report.add("rearmed", worker.rearmed)
        report.add("wakeups", worker.wakeups)
        // CPU of the whole loop; the lead before the first deadline is spent asleep, so this is the firing window's.
        report.add("firing_cpu_s", loopCPU)
        report.add("wheel_s", Double(worker.wheelNanoseconds) / 1e9)
        if let first = worker.firstCutAt, let last = worker.lastCutAt {
            report.add("firing_wall_s", Double(last - first) / 1e9)
        }
        report.add("log_bytes", worker.log.totalBytes)
        report.add("ok", problems.isEmpty)
        return (report, problems)
    }
}
