/// Subcommand dispatch and the exit-code contract: 0 success, 1 failed run, 2 bad flags.
enum Command {
    static let usage = """
        usage: curfew-bench <command> [flags]
          backend   --listen 127.0.0.1:PORT
          bulk      --url ws[s]://… --direction up|down [--conns 4] [--seconds 5] [--warmup 1] [--frame-size 65536]
          echo      --url ws[s]://… [--conns 16] [--rate 2000] [--size 256] [--seconds 5] [--warmup 1]
          handshake --url ws[s]://… [--concurrency 16] [--seconds 5] [--warmup 1]
          rest      --url http[s]://… [--conns 8] [--seconds 5] [--warmup 1]
          idle      --url ws[s]://… --conns N [--concurrency 64] [--max-hold 3600]
          cut       --url ws[s]://… --conns N --secret-file F --issuer ISS --audience AUD --exp UNIX_SECONDS
                    [--user-prefix u] [--concurrency 64] [--timeout 30]
          revoke    --url ws[s]://… --conns N --user NAME --secret-file F --issuer ISS --audience AUD
                    --exp UNIX_SECONDS --admin http://127.0.0.1:PORT --admin-token-file F [--concurrency 64] [--timeout 10]
        every client command also takes --host HOST and --header 'Name: value' (repeatable)
        """

    static func main(_ argv: [String]) -> Int32 {
        guard let name = argv.first else {
            Console.note("no command\n" + usage)
            return 2
        }
        if name == "-h" || name == "--help" || name == "help" {
            Console.note(usage)
            return 0
        }
        FileLimit.raiseToHard()
        let stop: StopSignal
        do {
            stop = try StopSignal()
        } catch {
            Console.note("cannot set up signal handling: \(error)")
            return 1
        }
        stop.startWatching()
        let rest = argv.dropFirst()
        do {
            switch name {
            case "backend":
                return try Backend.main(try Arguments(rest, flags: Backend.flags), stop: stop)
            case "bulk":
                return emit(try BulkBench(try Arguments(rest, flags: BulkBench.flags, repeatable: ["header"]), stop: stop).run())
            case "echo":
                return emit(try EchoBench(try Arguments(rest, flags: EchoBench.flags, repeatable: ["header"]), stop: stop).run())
            case "handshake":
                return emit(
                    try HandshakeBench(try Arguments(rest, flags: HandshakeBench.flags, repeatable: ["header"]), stop: stop).run())
            case "rest":
                return emit(try RestBench(try Arguments(rest, flags: RestBench.flags, repeatable: ["header"]), stop: stop).run())
            case "idle":
                return try IdleBench(try Arguments(rest, flags: IdleBench.flags, repeatable: ["header"]), stop: stop).run()
            case "cut":
                return emit(try CutBench(try Arguments(rest, flags: CutBench.flags, repeatable: ["header"]), stop: stop).run())
            case "revoke":
                return emit(try RevokeBench(try Arguments(rest, flags: RevokeBench.flags, repeatable: ["header"]), stop: stop).run())
            default:
                Console.note("unknown command '\(name)'\n" + usage)
                return 2
            }
        } catch let error as UsageError {
            Console.note(error.message)
            return 2
        } catch let error as BenchFailure {
            Console.note(error.message)
            return 1
        } catch let error as BenchError {
            switch error {
            case .usage(let u):
                Console.note(u.message)
                return 2
            case .failed(let f):
                Console.note(f.message)
                return 1
            }
        } catch {
            Console.note("\(error)")
            return 1
        }
    }

    private static func emit(_ json: JSONLine) -> Int32 {
        Console.result(json)
        return 0
    }
}
