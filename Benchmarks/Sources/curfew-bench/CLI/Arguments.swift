/// A bad command line: one line on stderr, exit 2 (the run script tells a typo from a failed run by this code).
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// `--name value` / `--name=value` flags of one subcommand. Every flag must be declared, so a typo is an error
/// rather than a silently ignored option that skews a benchmark.
struct Arguments {
    private var values: [String: [String]] = [:]

    /// - Parameters:
    ///   - argv: the arguments after the subcommand.
    ///   - flags: the flags this subcommand accepts, without `--`.
    ///   - repeatable: those that may be given more than once (`header`).
    init(_ argv: ArraySlice<String>, flags: Set<String>, repeatable: Set<String> = []) throws(UsageError) {
        var i = argv.startIndex
        while i < argv.endIndex {
            let arg = argv[i]
            guard arg.hasPrefix("--"), arg.count > 2 else { throw UsageError("unexpected argument '\(arg)'") }
            var name = String(arg.dropFirst(2))
            var value: String
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            } else {
                i += 1
                guard i < argv.endIndex else { throw UsageError("--\(name) needs a value") }
                value = argv[i]
            }
            guard flags.contains(name) else { throw UsageError("unknown flag --\(name)") }
            if values[name] != nil, !repeatable.contains(name) { throw UsageError("--\(name) given twice") }
            values[name, default: []].append(value)
            i += 1
        }
    }

    func string(_ name: String) -> String? { values[name]?.first }

    func strings(_ name: String) -> [String] { values[name] ?? [] }

    func required(_ name: String) throws(UsageError) -> String {
        guard let v = string(name) else { throw UsageError("--\(name) is required") }
        return v
    }

    /// A non-negative, finite number of seconds (floats allowed).
    func seconds(_ name: String, default fallback: Double) throws(UsageError) -> Double {
        guard let raw = string(name) else { return fallback }
        guard let v = Double(raw), v.isFinite, v >= 0, v <= 86_400 else {
            throw UsageError("--\(name) must be a number of seconds between 0 and 86400, got '\(raw)'")
        }
        return v
    }

    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let raw = string(name) else { return fallback }
        guard let v = Int(raw), range.contains(v) else {
            throw UsageError("--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(raw)'")
        }
        return v
    }

    func requiredInt(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard string(name) != nil else { throw UsageError("--\(name) is required") }
        return try int(name, default: 0, in: range)
    }

    /// One of `choices`.
    func choice(_ name: String, _ choices: [String], default fallback: String? = nil) throws(UsageError) -> String {
        guard let raw = string(name) ?? fallback else { throw UsageError("--\(name) is required") }
        guard choices.contains(raw) else {
            throw UsageError("--\(name) must be one of \(choices.joined(separator: "|")), got '\(raw)'")
        }
        return raw
    }
}
