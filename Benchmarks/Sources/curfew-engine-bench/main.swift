#if canImport(Glibc)
import Glibc
#endif

// curfew-engine-bench: the enforcement engine (timer wheel + ConnectionEnforcement) in-process, without sockets.
//
//   curfew-engine-bench wheel  [--timers 1000000] [--rounds 3]
//   curfew-engine-bench engine [--connections 1000000] [--window-ms 1000] [--lead-ms 1500] [--tick-ms 10]
//
// Each prints exactly one JSON object on one line to stdout. Exit 0: done and every check held; 1: a correctness
// check failed (each failure also one line on stderr); 2: bad command line (one line on stderr).

let usage = "usage: curfew-engine-bench wheel|engine [--flag value ...]"

let arguments = CommandLine.arguments.dropFirst()
let outcome: (report: JSONObject, problems: [String])
do throws(UsageError) {
    switch arguments.first {
    case "wheel": outcome = try WheelBench.run(arguments.dropFirst())
    case "engine": outcome = try EngineBench.run(arguments.dropFirst())
    case let other?: throw UsageError(message: "unknown subcommand '\(other)'; \(usage)")
    case nil: throw UsageError(message: usage)
    }
} catch {
    StandardError.line(error.message)
    exit(2)
}

print(outcome.report.text)
for problem in outcome.problems { StandardError.line("check failed: \(problem)") }
exit(outcome.problems.isEmpty ? 0 : 1)
