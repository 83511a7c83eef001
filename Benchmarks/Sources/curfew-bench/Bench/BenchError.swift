/// Why a subcommand could not produce its result: a bad flag (exit 2) or a failed run (exit 1).
enum BenchError: Error {
    case usage(UsageError)
    case failed(BenchFailure)
}
