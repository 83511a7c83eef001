import FoundationEssentials

/// A JSON5 document as Foundation's `JSONDecoder` (with `allowsJSON5`) decoded it, keeping every key.
///
/// The config is decoded into this tree first and then walked against the key table (`ConfigKeywords`), so that
/// every error can name its exact key path. Decoding straight into `Decodable` structs would lose unknown keys
/// and produce Foundation's generic messages.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// All JSON numbers; config integers are far below 2^53, so `Double` holds them exactly.
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in no particular order: Foundation's decoder does not keep the order of keys.
    case object([String: JSONValue])

    /// How a value is named in "expected …, got …" messages. Values are shown short and escaped, on one line.
    var shortDescription: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): JSONValue.format(number: n)
        case .string(let s): quoted(s)
        case .array: "an array"
        case .object: "an object"
        }
    }

    static func format(number n: Double) -> String {
        if n.isFinite, n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        return String(n)
    }
}

extension JSONValue: Decodable {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        // Try the shapes in turn; Foundation's decoder reports a type mismatch cheaply for the wrong ones.
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: JSONValue] = [:]
            for key in object.allKeys {
                members[key.stringValue] = try object.decode(JSONValue.self, forKey: key)
            }
            self = .object(members)
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? single.decode(Double.self) {
            self = .number(n)
        } else {
            self = .string(try single.decode(String.self))
        }
    }
}

/// `"value"` with quotes, backslashes and control characters escaped and long values cut, so that a message
/// built around it stays on one line.
func quoted(_ s: String, limit: Int = 80) -> String {
    var out = "\""
    var count = 0
    for scalar in s.unicodeScalars {
        if count == limit {
            out += "…"
            break
        }
        count += 1
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
