import Testing

@testable import CurfewConfig

@Suite struct DefaultsTests {
    @Test func minimalConfigGetsEveryDefault() throws {
        let loaded = try parse(minimalConfig)
        #expect(loaded.warnings == [])
        var expected = ProxyConfig.defaults(
            listeners: [
                ListenerConfig(
                    address: SocketAddressSpec(host: "127.0.0.1", port: 4984),
                    tls: TLSConfig(
                        identity: .files(
                            certificate: "/etc/curfew/server.pem",
                            privateKey: "/etc/curfew/server.key")))
            ],
            upstream: UpstreamURL(scheme: .http, host: "127.0.0.1", port: 4985))
        expected.sourcePath = testConfigPath
        #expect(loaded.config == expected)

        let c = loaded.config
        #expect(c.workers == onlineProcessorCount())
        #expect(c.enforcement.closeCode == 4001)
        #expect(c.enforcement.tick == .milliseconds(10))
        #expect(c.enforcement.maxConnectionAge == .seconds(12 * 3600))
        #expect(c.enforcement.heartbeat == nil)
        #expect(
            c.limits
                == LimitsConfig(
                    headerTimeout: .seconds(10), requestLine: 8192, headerBlock: 32768,
                    headerFields: 100, keepaliveTimeout: .seconds(75)))
        #expect(c.log == LogConfig(format: .json, level: .info))
        #expect(c.credentials.jwt == nil)
        #expect(c.credentials.session.cookieName == "SyncGatewaySession")
        #expect(c.credentials.session.tableSize == 100_000)
        #expect(c.credentials.basic.maxAge == .seconds(3600))
        #expect(c.credentials.anonymous == .reject)
        #expect(c.upstream.connectTimeout == .seconds(5))
        #expect(c.upstream.maxIdleConnections == 64)
        #expect(c.upstream.idleTimeout == .seconds(60))
        #expect(c.admin == nil)
        #expect(c.gatewayAdmin == nil)
    }

    /// The defaults the key table documents are the ones the loader applies: for every defaulted key, the
    /// example config with the key removed loads the same as with the key set to the documented default.
    @Test(arguments: ConfigKeywords.all.filter { if case .defaulted = $0.presence { true } else { false } })
    func documentedDefaultIsApplied(key: ConfigKey) throws {
        let path = repositoryRoot + "/proxy.conf.example"
        let bytes = try #require(try? readWholeFile(path, limit: 1 << 20).get())
        let tree = try ConfigLoader.decode(bytes, file: path)
        guard case .defaulted(let text) = key.presence else { return }
        let defaultValue: JSONValue
        switch key.kind {
        case .integer: defaultValue = .number(try #require(Double(text)))
        case .boolean: defaultValue = .bool(text == "true")
        default: defaultValue = .string(text)
        }
        let components = key.path.split(separator: ".").map(String.init)
        let without = try build(setting(nil, at: components, in: tree))
        let with = try build(setting(defaultValue, at: components, in: tree))
        #expect(without == with)
    }

    private func build(_ tree: JSONValue) throws -> ProxyConfig {
        var builder = ConfigBuilder(context: ConfigContext(file: "t", baseDirectory: "/t"))
        return try builder.build(tree, sourcePath: "/t/t").config
    }

    /// `tree` with the member at `components` (`[]` steps into every element) set to `value`, or removed.
    private func setting(_ value: JSONValue?, at components: [String], in tree: JSONValue) -> JSONValue {
        guard let first = components.first else { return value ?? tree }
        guard case .object(var members) = tree else { return tree }
        let isList = first.hasSuffix("[]")
        let name = isList ? String(first.dropLast(2)) : first
        let rest = Array(components.dropFirst())
        if isList, case .array(let elements)? = members[name] {
            members[name] = .array(elements.map { setting(value, at: rest, in: $0) })
        } else if rest.isEmpty {
            members[name] = value
        } else if let child = members[name] {
            members[name] = setting(value, at: rest, in: child)
        }
        return .object(members)
    }
}
