/// One key of `proxy.conf`, declared once in `ConfigKeywords.all` with its type, default and meaning.
///
/// The loader checks every key of a config file against this table (unknown keys are errors), reads each
/// value as the table's `kind` says, and the docs and `proxy.conf.example` are tested against it.
public struct ConfigKey: Sendable, Equatable {
    /// The JSON type a key holds and the rule its value obeys.
    public enum Kind: Sendable, Equatable {
        case object
        /// An array of objects; the children of `"a"` are declared as `"a[].b"`.
        case objectList
        case integer(ClosedRange<Int>)
        case boolean
        /// A duration string (`DurationParser`) within the range.
        case duration(ClosedRange<Duration>)
        case string
        /// An array of strings; non-empty when the key is required.
        case stringList
        /// One of the listed strings; for `algorithms`, an array of them.
        case choice([String])
        case choiceList([String])
        /// A file path, resolved against the config file's folder.
        case path
        /// A file path like `.path`, whose file holds a secret (read later with `SecretFile.read(path:)`).
        case secretPath
        /// `host:port` (`SocketAddressSpec`).
        case address
        /// `http(s)://host[:port]` (`UpstreamURL`).
        case url

        /// How the expected type is named in messages: `expected a duration like "10ms", got 10`.
        public var expected: String {
            switch self {
            case .object: "an object"
            case .objectList: "an array of objects"
            case .integer(let r): "an integer in \(r.lowerBound)...\(r.upperBound)"
            case .boolean: "true or false"
            case .duration: "a duration like \"10ms\""
            case .string: "a string"
            case .stringList: "an array of strings"
            case .choice(let c): "one of " + c.map { quoted($0) }.joined(separator: ", ")
            case .choiceList(let c): "an array of " + c.map { quoted($0) }.joined(separator: ", ")
            case .path, .secretPath: "a file path"
            case .address: "an address like \"127.0.0.1:4984\" or \"[::1]:4984\""
            case .url: "a URL like \"http://127.0.0.1:4984\""
            }
        }
    }

    /// Whether a key must be present, and what its absence means.
    public enum Presence: Sendable, Equatable {
        case required
        /// Absent means this value, written as in the config (`"10ms"`, `64`, `"keep"`).
        case defaulted(String)
        /// Absent means what the text says (e.g. "no admin API").
        case optional(String)
    }

    /// Dotted path with `[]` for array elements: `"listeners[].tls.client_ca"`.
    public let path: String
    public let kind: Kind
    public let presence: Presence
    /// One line: what the key means.
    public let help: String

    public init(_ path: String, _ kind: Kind, _ presence: Presence, _ help: String) {
        self.path = path
        self.kind = kind
        self.presence = presence
        self.help = help
    }

    /// The last component: `"client_ca"`.
    public var name: String {
        let afterDot = path.split(separator: ".").last.map(String.init) ?? path
        return afterDot.hasSuffix("[]") ? String(afterDot.dropLast(2)) : afterDot
    }

    /// The schema path of the enclosing object (`""` for the top level): `"listeners[].tls"`.
    public var parentPath: String {
        guard let dot = path.lastIndex(of: ".") else { return "" }
        return String(path[..<dot])
    }
}
