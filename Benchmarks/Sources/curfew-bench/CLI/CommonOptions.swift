/// Flags every client subcommand shares: `--url`, `--host`, `--header` (repeatable), and for the timed ones
/// `--seconds` and `--warmup`.
struct CommonOptions {
    static let flags: Set<String> = ["url", "host", "header"]
    static let timedFlags: Set<String> = ["seconds", "warmup"]

    let url: TargetURL
    let host: String?
    let headers: [String]
    let seconds: Double
    let warmup: Double

    /// - Parameter schemes: what this subcommand accepts (`ws`/`wss`, or `http`/`https`).
    init(_ args: Arguments, schemes: [TargetURL.Scheme], defaultSeconds: Double = 5) throws(UsageError) {
        url = try TargetURL(try args.required("url"))
        guard schemes.contains(url.scheme) else {
            throw UsageError("--url must be \(schemes.map { $0.rawValue + "://" }.joined(separator: " or ")) here")
        }
        try url.requireLoopback("--url")
        if let h = args.string("host") {
            for c in h.utf8 where c <= 0x20 || c == 0x7F { throw UsageError("--host must not contain spaces or controls") }
            host = h
        } else {
            host = nil
        }
        headers = try HeaderLines.parse(args.strings("header"))
        seconds = try args.seconds("seconds", default: defaultSeconds)
        warmup = try args.seconds("warmup", default: 1)
        if seconds <= 0 { throw UsageError("--seconds must be more than 0") }
    }

    /// The run's context. Failing here is a failed run (`.failed`), not a usage error: the flags were fine.
    func context(stop: StopSignal) throws(BenchError) -> BenchContext {
        do {
            return try BenchContext(url: url, host: host, extraHeaders: headers, stop: stop)
        } catch {
            throw .failed(error)
        }
    }
}
