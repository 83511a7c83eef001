import CurfewLog

/// Builds the one JSON object a subcommand prints, keys in insertion order (so the run script's logs read the
/// same way every time). Only what the results need: integers, numbers, strings, booleans, null, nested objects.
struct JSONLine {
    private var text = "{"
    private var first = true

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        JSONLine.appendString(name, to: &text)
        text += ":"
    }

    mutating func add(_ name: String, _ value: Int) {
        key(name)
        text += String(value)
    }

    mutating func add(_ name: String, _ value: Int64) { add(name, Int(value)) }

    /// Rounded to three decimals; NaN and infinities (which JSON cannot carry) become null.
    mutating func add(_ name: String, _ value: Double) {
        key(name)
        guard value.isFinite else {
            text += "null"
            return
        }
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 {
            text += String(Int64(rounded))
        } else {
            text += String(rounded)
        }
    }

    mutating func add(_ name: String, _ value: Double?) {
        if let value { add(name, value) } else { addNull(name) }
    }

    mutating func add(_ name: String, _ value: String) {
        key(name)
        JSONLine.appendString(value, to: &text)
    }

    mutating func add(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    mutating func addNull(_ name: String) {
        key(name)
        text += "null"
    }

    mutating func add(_ name: String, _ object: JSONLine) {
        key(name)
        text += object.rendered
    }

    var rendered: String { text + "}" }

    /// A JSON string literal, escaped by the same code as curfew's log lines (`CurfewLog.JSONText`).
    static func appendString(_ s: String, to out: inout String) {
        var bytes: [UInt8] = []
        JSONText.appendString(s, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    static func quoted(_ s: String) -> String {
        var out = ""
        appendString(s, to: &out)
        return out
    }
}
