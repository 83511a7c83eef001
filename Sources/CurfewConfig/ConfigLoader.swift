import FoundationEssentials

/// A config and the warnings found while loading it, for the caller to log.
public struct LoadedConfig: Sendable, Equatable {
    public var config: ProxyConfig
    /// One line each, e.g. a listener without TLS. Never contains a secret.
    public var warnings: [String]

    public init(config: ProxyConfig, warnings: [String]) {
        self.config = config
        self.warnings = warnings
    }
}

/// Loads `proxy.conf`: JSON5 decoded by Foundation's `JSONDecoder`, checked against `ConfigKeywords`.
///
/// Loading reads the config file and nothing else: certificate, key and secret files are only named here and
/// are read by the runtime, so `curfew check` can run where those files are not.
public enum ConfigLoader {
    /// The config file is small; anything bigger is the wrong file.
    public static let maximumFileSize = 1_048_576

    /// Reads and parses the config at `path` (absolute, or relative to the working directory).
    public static func load(path: String) throws(ConfigError) -> LoadedConfig {
        switch readWholeFile(path, limit: maximumFileSize) {
        case .failure(let e):
            throw ConfigError(file: path, kind: .cannotRead, message: "cannot read: \(e.reason)")
        case .success(let bytes):
            return try parse(text: bytes, path: path)
        }
    }

    /// Parses config text; `path` names the file in messages and anchors relative paths.
    public static func parse(text: String, path: String) throws(ConfigError) -> LoadedConfig {
        try parse(text: Array(text.utf8), path: path)
    }

    /// Parses config bytes; `path` names the file in messages and anchors relative paths.
    public static func parse(text: [UInt8], path: String) throws(ConfigError) -> LoadedConfig {
        let tree = try decode(text, file: path)
        let context = ConfigContext(file: path, baseDirectory: directory(of: path))
        let sourcePath = resolvePath(path, against: path.hasPrefix("/") ? "/" : currentDirectory())
        var builder = ConfigBuilder(context: context)
        return try builder.build(tree, sourcePath: sourcePath)
    }

    static func decode(_ bytes: [UInt8], file: String) throws(ConfigError) -> JSONValue {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        let tree: JSONValue
        do {
            tree = try decoder.decode(JSONValue.self, from: Data(bytes))
        } catch {
            // The decoder gives no position on Linux; find it ourselves (see JSON5SyntaxLocator).
            if let finding = JSON5SyntaxLocator.locate(in: bytes) {
                throw ConfigError(
                    file: file, line: finding.line, column: finding.column, kind: .syntax,
                    message: "syntax error: \(finding.message)")
            }
            throw ConfigError(file: file, kind: .syntax, message: "syntax error: not valid JSON5")
        }
        // The decoder keeps the first of two equal keys without a word; refuse the file instead.
        if let duplicate = JSON5SyntaxLocator.firstDuplicateKey(in: bytes) {
            throw ConfigError(
                file: file, line: duplicate.line, column: duplicate.column, kind: .duplicateKey,
                message: duplicate.message)
        }
        return tree
    }
}
