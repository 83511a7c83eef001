/// A bad command line. `main.swift` prints `message` as one line on stderr and exits 2.
struct UsageError: Error {
    let message: String
}

/// `--name value` / `--name=value` flags of one subcommand, each given at most once, all integers.
///
/// Why so small: the two subcommands take only integer sizes, and `Benchmarks/run` builds their command lines, so a
/// typo there must fail loudly (exit 2) instead of silently running with a default.
struct Flags {
    private var values: [String: String] = [:]

    /// Reads `arguments` (after the subcommand); `known` are the flag names without `--`.
    init(_ arguments: ArraySlice<String>, known: Set<String>) throws(UsageError) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw UsageError(message: "unexpected argument '\(argument)'")
            }
            var name = String(argument.dropFirst(2))
            var value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else {
                guard let next = rest.popFirst() else { throw UsageError(message: "--\(name) needs a value") }
                value = next
            }
            guard known.contains(name) else {
                let list = known.sorted().map { "--\($0)" }.joined(separator: ", ")
                throw UsageError(message: "unknown flag --\(name) (known: \(list))")
            }
            guard values[name] == nil else { throw UsageError(message: "--\(name) given twice") }
            values[name] = value
        }
    }

    /// The integer value of `--name`, or `fallback` when absent; must lie in `range`.
    func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text) else { throw UsageError(message: "--\(name) must be an integer, got '\(text)'") }
        guard range.contains(value) else {
            throw UsageError(message: "--\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }
}
