/// A config problem, described on one line that starts with the file name, for the operator to fix:
///
///     proxy.conf:7:12: syntax error: missing "," after this value
///     proxy.conf: unknown key "listeners[0].tls.certficate" (did you mean "certificate"?)
///     proxy.conf: "enforcement.tick": expected a duration like "10ms", got 10
///     proxy.conf: cannot read: No such file or directory
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for callers and tests that branch on it; the message says it for people.
    public enum Kind: Sendable, Equatable {
        /// The file (config or secret file) could not be read.
        case cannotRead
        /// The file is not valid JSON5.
        case syntax
        /// The same key twice in one object (JSON5 allows it; the decoder would silently keep one).
        case duplicateKey
        /// A key the key table does not know.
        case unknownKey
        /// A value of the wrong JSON type, or a string that does not parse (duration, address, URL, choice).
        case invalidValue
        /// A required key is absent.
        case missingKey
        /// Keys that are fine one by one but not together (e.g. `client_certificate` without `client_ca`).
        case conflict
    }

    /// The file as the caller named it.
    public let file: String
    /// 1-based line and column, for syntax errors.
    public let line: Int?
    public let column: Int?
    public let kind: Kind
    /// The message without the file prefix.
    public let message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, kind: Kind, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.kind = kind
        self.message = message
    }

    public var description: String {
        var head = file
        if let line {
            head += ":\(line)"
            if let column { head += ":\(column)" }
        }
        return head + ": " + message
    }
}
