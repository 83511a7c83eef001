import CurfewNet

/// `revoke`: one user with N websockets (distinct `jti`s), then `POST /revoke {"user": NAME}` to curfew's admin API;
/// measures from just before the request is written to the answer, and to the last of the N closes seen.
final class RevokeBench {
    private let context: BenchContext
    private let jwt: JWTOptions
    private let conns: Int
    private let concurrency: Int
    private let timeout: Double
    private let user: String
    private let adminURL: TargetURL
    private let adminToken: String

    static let flags = CommonOptions.flags.union(JWTOptions.flags)
        .union(["conns", "user", "admin", "admin-token-file", "concurrency", "timeout"])

    init(_ args: Arguments, stop: StopSignal) throws(BenchError) {
        let options: CommonOptions
        do throws(UsageError) {
            options = try CommonOptions(args, schemes: [.ws, .wss])
            jwt = try JWTOptions(args)
            conns = try args.requiredInt("conns", in: 1...1_000_000)
            concurrency = try args.int("concurrency", default: 64, in: 1...10_000)
            timeout = try args.seconds("timeout", default: 10)
            user = try args.required("user")
            adminURL = try TargetURL(try args.required("admin"))
            guard adminURL.scheme == .http else { throw UsageError("--admin must be an http:// URL") }
            try adminURL.requireLoopback("--admin")
            adminToken = String(decoding: try JWTMint.readSecret(try args.required("admin-token-file")), as: UTF8.self)
        } catch {
            throw .usage(error)
        }
        context = try options.context(stop: stop)
    }

    func run() throws(BenchFailure) -> JSONLine {
        let url = context.url.settingQuery([("mode", "sink")])
        let run = JWTOptions.runID()
        let iat = Int64(Clock.wallMilliseconds() / 1000)
        let fleet = Fleet(context: context, total: conns, concurrency: concurrency) { [unowned context, jwt, user] i in
            let token = jwt.mint.token(subject: user, jti: "\(run)-\(i)", issuedAt: iat, expires: jwt.exp)
            return context.upgradeRequest(url: url, extra: ["Authorization: Bearer " + token])
        }
        fleet.openAll(deadline: Clock.now() + Clock.nanoseconds(seconds: Swift.max(60, Double(conns) / 50)))
        guard fleet.openNow > 0 else {
            throw BenchFailure("no websocket stayed open: \(fleet.opener.lastFailure ?? "closed by the server")")
        }
        let admin = try AdminCall(context: context, url: adminURL)
        admin.connect()
        // Let the proxy settle (every connection open and idle) while the admin connection comes up.
        let settle = Clock.now() + 200_000_000
        fleet.hold(until: Clock.now() + 5_000_000_000) { !(admin.isConnected && Clock.now() >= settle) && admin.failure == nil }
        if let failure = admin.failure { throw BenchFailure("admin API \(adminURL.hostHeader): \(failure)") }
        guard admin.isConnected else { throw BenchFailure("admin API \(adminURL.hostHeader): no connection within 5 s") }
        let opened = fleet.openNow
        let closedBefore = fleet.closedCount

        let path = adminURL.path == "/" ? "/revoke" : adminURL.path.hasSuffix("/revoke") ? adminURL.path : adminURL.path + "/revoke"
        let body = "{\"user\":\(JSONLine.quoted(user))}"
        var head = "POST \(path) HTTP/1.1\r\nHost: \(adminURL.hostHeader)\r\nAuthorization: Bearer \(adminToken)\r\n"
        head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let t0 = Clock.now()
        admin.send(Array((head + body).utf8))
        fleet.hold(until: t0 + Clock.nanoseconds(seconds: timeout)) { !(admin.isDone && fleet.openNow == 0) }
        admin.close()
        let stillOpen = fleet.openNow
        let lastClose = fleet.closedAtMono.filter { $0 >= t0 }.max()
        fleet.closeAll()

        var out = JSONLine()
        out.add("bench", "revoke")
        out.add("opened", opened)
        out.add("failed", fleet.failed + closedBefore)
        out.add("closed", opened - stillOpen)
        out.add("admin_status", admin.status ?? 0)
        out.add("admin_body", admin.body)
        out.add("ms_to_response", admin.answeredAt > 0 ? Double(admin.answeredAt - t0) / 1e6 : nil)
        out.add("ms_to_last_close", lastClose.map { Double($0 - t0) / 1e6 })
        guard let status = admin.status, (200..<300).contains(status) else {
            Console.result(out)
            throw BenchFailure("admin call failed: \(admin.failure ?? "status \(admin.status ?? 0) \(admin.body)")")
        }
        return out
    }
}
