/// Where a value sits: the concrete path for messages (`listeners[0].tls`) and the schema path for the key
/// table (`listeners[].tls`).
struct ConfigPath {
    var concrete: String
    var schema: String

    static let root = ConfigPath(concrete: "", schema: "")

    func child(_ name: String) -> ConfigPath {
        ConfigPath(
            concrete: concrete.isEmpty ? name : concrete + "." + name,
            schema: schema.isEmpty ? name : schema + "." + name)
    }

    func element(_ index: Int) -> ConfigPath {
        ConfigPath(concrete: concrete + "[\(index)]", schema: schema + "[]")
    }
}

/// What the readers need besides the tree: the file name for messages and the folder for relative paths.
struct ConfigContext {
    /// The config file as the caller named it.
    var file: String
    /// Absolute folder of the config file, without a trailing slash (`""` for `/`).
    var baseDirectory: String

    func error(_ kind: ConfigError.Kind, _ message: String) -> ConfigError {
        ConfigError(file: file, kind: kind, message: message)
    }

    func invalid(_ path: ConfigPath, _ message: String) -> ConfigError {
        error(.invalidValue, "\(quoted(path.concrete)): \(message)")
    }

    func expected(_ path: ConfigPath, _ key: ConfigKey, got value: JSONValue, _ note: String = "") -> ConfigError {
        invalid(path, "expected \(key.kind.expected), got \(value.shortDescription)\(note)")
    }
}

/// One JSON object of the config, checked against the key table: constructing it fails on the first unknown
/// key; its typed getters read a member as the table declares it and return nil when the member is absent.
struct ObjectReader {
    let members: [String: JSONValue]
    let path: ConfigPath
    let context: ConfigContext

    init(_ value: JSONValue, at path: ConfigPath, key: ConfigKey?, context: ConfigContext) throws(ConfigError) {
        guard case .object(let members) = value else {
            if let key { throw context.expected(path, key, got: value) }
            throw context.error(.invalidValue, "the top level must be an object, got \(value.shortDescription)")
        }
        self.members = members
        self.path = path
        self.context = context
        try checkUnknownKeys()
    }

    private func checkUnknownKeys() throws(ConfigError) {
        let known = ConfigKeywords.children(of: path.schema).map(\.name)
        // Sorted, so that the same file always reports the same key first (the decoder loses key order).
        for name in members.keys.sorted() where !known.contains(name) {
            var message = "unknown key \(quoted(path.child(name).concrete))"
            if let suggestion = nearest(to: name, among: known) {
                message += " (did you mean \(quoted(suggestion))?)"
            } else if let elsewhere = ConfigKeywords.all.first(where: { $0.name == name }) {
                // A known key in the wrong object, e.g. "leeway" at the top level.
                message += " (did you mean \(quoted(elsewhere.path))?)"
            }
            throw context.error(.unknownKey, message)
        }
    }

    /// The table entry for a member; every name the loader asks for must be in the table.
    private func key(_ name: String) -> ConfigKey {
        let schemaPath = path.child(name).schema
        guard let key = ConfigKeywords.byPath[schemaPath] else {
            fatalError("Internal inconsistency: \(schemaPath) is read by the loader but not in ConfigKeywords")
        }
        return key
    }

    /// The raw member, or nil when absent.
    func raw(_ name: String) -> (value: JSONValue, path: ConfigPath, key: ConfigKey)? {
        let k = key(name)
        guard let value = members[name] else { return nil }
        return (value, path.child(name), k)
    }

    /// Fails naming the key when a required member is absent.
    func require<T>(_ value: T?, _ name: String) throws(ConfigError) -> T {
        if let value { return value }
        throw context.error(.missingKey, "missing required key \(quoted(path.child(name).concrete))")
    }

    func object(_ name: String) throws(ConfigError) -> ObjectReader? {
        guard let (value, p, k) = raw(name) else { return nil }
        return try ObjectReader(value, at: p, key: k, context: context)
    }

    func objectList(_ name: String) throws(ConfigError) -> [ObjectReader]? {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .array(let elements) = value else { throw context.expected(p, k, got: value) }
        var readers: [ObjectReader] = []
        for (i, element) in elements.enumerated() {
            guard case .object = element else {
                throw context.invalid(p.element(i), "expected an object, got \(element.shortDescription)")
            }
            readers.append(try ObjectReader(element, at: p.element(i), key: k, context: context))
        }
        return readers
    }

    func integer(_ name: String) throws(ConfigError) -> Int? {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .integer(let range) = k.kind else { preconditionFailure("\(k.path) is not an integer") }
        guard case .number(let n) = value, n.isFinite, n == n.rounded(), abs(n) < 1e15 else {
            throw context.expected(p, k, got: value)
        }
        let i = Int(n)
        guard range.contains(i) else { throw context.expected(p, k, got: value) }
        return i
    }

    func boolean(_ name: String) throws(ConfigError) -> Bool? {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .bool(let b) = value else { throw context.expected(p, k, got: value) }
        return b
    }

    func duration(_ name: String) throws(ConfigError) -> Duration? {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .duration(let range) = k.kind else { preconditionFailure("\(k.path) is not a duration") }
        guard case .string(let text) = value else {
            if case .number = value {
                throw context.expected(p, k, got: value, " (durations are strings with a unit: ms, s, m, h or d)")
            }
            throw context.expected(p, k, got: value)
        }
        switch DurationParser.parseDetailed(text) {
        case .failure(let problem):
            let why: String
            switch problem {
            case .empty: why = "an empty string"
            case .bareNumber: why = "a number without a unit (ms, s, m, h or d)"
            case .negative: why = "durations cannot be negative"
            case .fraction: why = "use a whole number of a smaller unit, e.g. \"1500ms\" for 1.5s"
            case .badUnit(let u): why = "unknown unit \(quoted(u)); use ms, s, m, h or d"
            case .notANumber: why = "it must start with a whole number"
            case .tooLarge: why = "too large"
            }
            throw context.expected(p, k, got: value, " (\(why))")
        case .success(let d):
            guard range.contains(d) else {
                throw context.invalid(
                    p,
                    "\(quoted(text)) is out of range \(DurationParser.format(range.lowerBound))"
                        + "...\(DurationParser.format(range.upperBound))")
            }
            return d
        }
    }

    func string(_ name: String) throws(ConfigError) -> String? {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .string(let s) = value, !s.isEmpty else {
            throw context.expected(p, k, got: value, value == .string("") ? " (it must not be empty)" : "")
        }
        return s
    }

    func stringList(_ name: String) throws(ConfigError) -> [String]? {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .array(let elements) = value else { throw context.expected(p, k, got: value) }
        var out: [String] = []
        for (i, element) in elements.enumerated() {
            guard case .string(let s) = element, !s.isEmpty else {
                throw context.invalid(p.element(i), "expected a non-empty string, got \(element.shortDescription)")
            }
            out.append(s)
        }
        return out
    }

    func choice<E: RawRepresentable & CaseIterable>(_ name: String, as: E.Type) throws(ConfigError) -> E?
    where E.RawValue == String {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .string(let s) = value, let e = E(rawValue: s) else { throw context.expected(p, k, got: value) }
        return e
    }

    func choiceList<E: RawRepresentable & CaseIterable>(_ name: String, as: E.Type) throws(ConfigError) -> [E]?
    where E.RawValue == String {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .array(let elements) = value else { throw context.expected(p, k, got: value) }
        var out: [E] = []
        for (i, element) in elements.enumerated() {
            guard case .string(let s) = element, let e = E(rawValue: s) else {
                let choices = E.allCases.map { quoted($0.rawValue) }.joined(separator: ", ")
                throw context.invalid(p.element(i), "expected one of \(choices), got \(element.shortDescription)")
            }
            out.append(e)
        }
        return out
    }

    /// A file path made absolute against the config file's folder.
    func path(_ name: String) throws(ConfigError) -> String? {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .string(let s) = value, !s.isEmpty, !s.contains("\0") else {
            if k.kind == .secretPath, case .string = value {
                // Someone may have pasted the secret itself here: do not echo it into a log.
                throw context.invalid(p, "expected \(k.kind.expected), got a string that is not one")
            }
            if k.kind == .secretPath, case .number = value {
                throw context.invalid(p, "expected \(k.kind.expected), got a number")
            }
            throw context.expected(p, k, got: value)
        }
        return resolvePath(s, against: context.baseDirectory)
    }

    func address(_ name: String) throws(ConfigError) -> SocketAddressSpec? {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .string(let s) = value, let a = SocketAddressSpec(parsing: s) else {
            throw context.expected(p, k, got: value)
        }
        return a
    }

    func url(_ name: String) throws(ConfigError) -> UpstreamURL? {
        guard let (value, p, k) = raw(name) else { return nil }
        guard case .string(let s) = value, let u = UpstreamURL(parsing: s) else {
            throw context.expected(p, k, got: value, " (http or https, a host, an optional port, no path)")
        }
        return u
    }
}
