import CurfewNet

/// `cut`: opens N websockets, each with its own HS256 JWT (`sub` = prefix + index) expiring at `--exp`, then waits
/// for curfew to cut them and records, per connection, the wall-clock time the client saw the close (close frame,
/// with its code, or TCP close/reset) relative to `exp`.
final class CutBench {
    private let context: BenchContext
    private let jwt: JWTOptions
    private let conns: Int
    private let concurrency: Int
    private let timeout: Double
    private let userPrefix: String

    static let flags = CommonOptions.flags.union(JWTOptions.flags).union(["conns", "user-prefix", "concurrency", "timeout"])

    init(_ args: Arguments, stop: StopSignal) throws(BenchError) {
        let options: CommonOptions
        do {
            options = try CommonOptions(args, schemes: [.ws, .wss])
            jwt = try JWTOptions(args)
            conns = try args.requiredInt("conns", in: 1...1_000_000)
            concurrency = try args.int("concurrency", default: 64, in: 1...10_000)
            timeout = try args.seconds("timeout", default: 30)
            userPrefix = args.string("user-prefix") ?? "u"
        } catch {
            throw .usage(error)
        }
        context = try options.context(stop: stop)
    }

    func run() throws(BenchFailure) -> JSONLine {
        let start = Clock.now()
        let deadline = start + Clock.nanoseconds(seconds: timeout)
        let url = context.url.settingQuery([("mode", "sink")])
        let run = JWTOptions.runID()
        let iat = Int64(Clock.wallMilliseconds() / 1000)
        let fleet = Fleet(context: context, total: conns, concurrency: concurrency) { [unowned context, jwt, userPrefix] i in
            let token = jwt.mint.token(subject: userPrefix + String(i), jti: "\(run)-\(i)", issuedAt: iat, expires: jwt.exp)
            return context.upgradeRequest(url: url, extra: ["Authorization: Bearer " + token])
        }
        fleet.openAll(deadline: deadline)
        fleet.hold(until: deadline) { fleet.openNow > 0 }
        let stillOpen = fleet.openNow
        fleet.closeAll()
        let expMs = Double(jwt.exp) * 1000
        let after = Percentiles(fleet.closedAtWall.filter { !$0.isNaN }.map { $0 - expMs })
        var codes = JSONLine()
        for (code, n) in fleet.codes.sorted(by: { $0.key < $1.key }) { codes.add(String(code), n) }
        var lateness = JSONLine()
        lateness.add("p50", after.quantile(0.50))
        lateness.add("p99", after.quantile(0.99))
        lateness.add("max", after.max)
        lateness.add("min", after.min)
        var out = JSONLine()
        out.add("bench", "cut")
        out.add("opened", fleet.opened)
        out.add("failed", fleet.failed)
        out.add("closed_by_frame", fleet.closedByFrame)
        out.add("closed_by_tcp", fleet.closedByTCP + fleet.protocolErrors)
        out.add("codes", codes)
        out.add("still_open", stillOpen)
        out.add("seconds_to_open", fleet.secondsToOpen)
        out.add("close_after_exp_ms", lateness)
        if fleet.opened == 0 {
            Console.result(out)
            throw BenchFailure("no websocket opened: \(fleet.opener.lastFailure ?? "timeout")")
        }
        if context.stop.isRaised {
            Console.result(out)
            throw BenchFailure("interrupted")
        }
        return out
    }
}
