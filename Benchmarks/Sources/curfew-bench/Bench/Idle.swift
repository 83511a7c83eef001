import CurfewNet

/// `idle`: opens many websockets (`mode=sink`), prints how many opened, then holds them idle until stdin reaches
/// EOF or SIGTERM/SIGINT, so the run script can read the proxy's RSS with them all open.
final class IdleBench {
    private let context: BenchContext
    private let conns: Int
    private let concurrency: Int
    private let maxHold: Double

    static let flags = CommonOptions.flags.union(["conns", "concurrency", "max-hold"])

    init(_ args: Arguments, stop: StopSignal) throws(BenchError) {
        let options: CommonOptions
        do {
            options = try CommonOptions(args, schemes: [.ws, .wss])
            conns = try args.requiredInt("conns", in: 1...1_000_000)
            concurrency = try args.int("concurrency", default: 64, in: 1...10_000)
            maxHold = try args.seconds("max-hold", default: 3600)
        } catch {
            throw .usage(error)
        }
        context = try options.context(stop: stop)
    }

    /// Prints its line itself (before holding); returns the exit code.
    func run() throws(BenchFailure) -> Int32 {
        let url = context.url.settingQuery([("mode", "sink")])
        let fleet = Fleet(context: context, total: conns, concurrency: concurrency) { [unowned context] _ in
            context.upgradeRequest(url: url)
        }
        fleet.openAll(deadline: Clock.now() + Clock.nanoseconds(seconds: Swift.max(60, Double(conns) / 50)))
        var out = JSONLine()
        out.add("bench", "idle")
        out.add("open", fleet.openNow)
        out.add("failed", fleet.failed + fleet.closedCount)
        out.add("seconds_to_open", fleet.secondsToOpen)
        Console.result(out)
        if fleet.openNow == 0 {
            fleet.closeAll()
            throw BenchFailure("no websocket stayed open: \(fleet.opener.lastFailure ?? "closed by the server")")
        }
        let stdin = StdinWatcher(loop: context.loop, stop: context.stop)
        fleet.hold(until: Clock.now() + Clock.nanoseconds(seconds: maxHold)) { true }
        stdin.finish()
        if fleet.closedCount > 0 {
            Console.note("idle: \(fleet.closedCount) connections were closed by the server while held")
        }
        fleet.closeAll()
        return 0
    }
}
