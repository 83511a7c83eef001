/// One flat-or-nested JSON object built key by key, in insertion order, printed on one line.
///
/// No Foundation: the benchmark prints a handful of numbers, and `Benchmarks/run` parses the last stdout line.
struct JSONObject {
    private var members: [String] = []

    mutating func add(_ key: String, _ value: Int) { members.append("\(quoted(key)):\(value)") }

    /// Finite doubles rounded to `decimals` places; NaN and infinities (a phase that took no measurable time)
    /// become `null` rather than invalid JSON.
    mutating func add(_ key: String, _ value: Double, decimals: Int = 3) {
        guard value.isFinite else { return members.append("\(quoted(key)):null") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        // Whole numbers print without ".0" so rates read as integers.
        if rounded == rounded.rounded(), abs(rounded) < 9e15 {
            members.append("\(quoted(key)):\(Int64(rounded))")
        } else {
            members.append("\(quoted(key)):\(rounded)")
        }
    }

    mutating func add(_ key: String, _ value: String) { members.append("\(quoted(key)):\(quoted(value))") }

    mutating func add(_ key: String, _ value: Bool) { members.append("\(quoted(key)):\(value)") }

    mutating func add(_ key: String, _ value: JSONObject) { members.append("\(quoted(key)):\(value.text)") }

    mutating func add(_ key: String, _ values: [String]) {
        members.append("\(quoted(key)):[\(values.map(quoted).joined(separator: ","))]")
    }

    var text: String { "{" + members.joined(separator: ",") + "}" }

    private func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20: out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
