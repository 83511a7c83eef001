import Testing

@testable import CurfewConfig

/// The file name used in messages for configs parsed from strings; absolute, so paths resolve without getcwd.
let testConfigPath = "/etc/curfew/proxy.conf"

/// The smallest valid config; tests add or change one thing.
let minimalConfig = """
    {
      listeners: [{ address: "127.0.0.1:4984", tls: { certificate: "server.pem", private_key: "server.key" } }],
      upstream: { url: "http://127.0.0.1:4985" },
    }
    """

func parse(_ text: String, path: String = testConfigPath) throws(ConfigError) -> LoadedConfig {
    try ConfigLoader.parse(text: text, path: path)
}

/// The error `text` fails with; records a test failure if it loads.
func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError? {
    do {
        let loaded = try parse(text)
        Issue.record("expected an error, loaded \(loaded.config)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// `minimalConfig` with `extra` added as more top-level members.
func minimal(plus extra: String) -> String {
    """
    {
      listeners: [{ address: "127.0.0.1:4984", tls: { certificate: "server.pem", private_key: "server.key" } }],
      upstream: { url: "http://127.0.0.1:4985" },
      \(extra)
    }
    """
}

/// The repository root, found from this file's path (Tests/CurfewConfigTests/TestSupport.swift).
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()
