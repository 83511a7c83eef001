import Testing

@testable import CurfewConfig

@Suite struct ExampleConfigTests {
    let examplePath = repositoryRoot + "/proxy.conf.example"

    @Test func exampleLoadsWithoutWarnings() throws {
        let loaded = try ConfigLoader.load(path: examplePath)
        #expect(loaded.warnings == [])
        let c = loaded.config
        #expect(c.sourcePath == examplePath)
        #expect(c.workers == 2)
        #expect(c.listeners.count == 1)
        #expect(c.listeners[0].address == SocketAddressSpec(host: "0.0.0.0", port: 4984))
        #expect(c.upstream.url == UpstreamURL(scheme: .https, host: "sg.internal", port: 4984))
        #expect(c.upstream.ca == repositoryRoot + "/tls/sg-ca.pem")
        #expect(c.enforcement.heartbeat == HeartbeatConfig(timeout: .seconds(300), refreshCredentials: true))
        #expect(c.credentials.jwt?.issuers.map(\.algorithms) == [[.rs256, .es256], [.hs256]])
        #expect(c.admin?.address == SocketAddressSpec(host: "127.0.0.1", port: 4990))
        #expect(c.gatewayAdmin?.address == SocketAddressSpec(host: "127.0.0.1", port: 4986))
    }

    @Test func relativePathsResolveAgainstTheConfigFolder() throws {
        let c = try ConfigLoader.load(path: examplePath).config
        let tls = try #require(c.listeners[0].tls)
        #expect(
            tls.identity
                == .files(
                    certificate: repositoryRoot + "/tls/server.pem",
                    privateKey: repositoryRoot + "/tls/server.key"))
        #expect(tls.clientCA == repositoryRoot + "/tls/clients.pem")
        #expect(c.upstream.adminPasswordFile == repositoryRoot + "/secrets/sg-admin.password")
        #expect(c.credentials.jwt?.issuers[0].keySource == .jwksFile(repositoryRoot + "/keys/idp-jwks.json"))
        #expect(
            c.credentials.jwt?.issuers[1].keySource
                == .hmacSecretFile(repositoryRoot + "/secrets/internal-hmac.key"))
        #expect(c.admin?.tokenFile == repositoryRoot + "/secrets/admin.token")
    }

    @Test func absoluteAndDottedPathsResolve() throws {
        let text = """
            { listeners: [{ address: "127.0.0.1:1", tls: { certificate: "/abs/cert.pem", private_key: "./k/./key.pem" } }],
              upstream: { url: "http://sg:4984" } }
            """
        let c = try ConfigLoader.parse(text: text, path: "/srv/curfew/conf/proxy.conf").config
        #expect(
            c.listeners[0].tls?.identity
                == .files(
                    certificate: "/abs/cert.pem",
                    privateKey: "/srv/curfew/conf/k/key.pem"))
    }

    /// Every key of the table is set in the example (so the example documents them all), and the example sets
    /// no key the table lacks (the loader would refuse it anyway).
    @Test func exampleSetsEveryKeyOfTheTable() throws {
        let bytes = try #require(try? readWholeFile(examplePath, limit: 1 << 20).get())
        let tree = try ConfigLoader.decode(bytes, file: examplePath)
        var found = Set<String>()
        collectSchemaPaths(tree, prefix: "", into: &found)
        let table = Set(ConfigKeywords.all.map(\.path))
        #expect(table.subtracting(found).sorted() == [])
        #expect(found.subtracting(table).sorted() == [])
        let text = String(decoding: bytes, as: UTF8.self)
        for key in ConfigKeywords.all {
            #expect(text.contains(key.name + ":"), "proxy.conf.example does not mention \(key.path)")
        }
    }

    @Test func docsDescribeEveryKey() throws {
        let bytes = try #require(try? readWholeFile(repositoryRoot + "/docs/configuration.md", limit: 1 << 20).get())
        let text = String(decoding: bytes, as: UTF8.self)
        for key in ConfigKeywords.all {
            #expect(text.contains("`\(key.path)`"), "docs/configuration.md does not describe \(key.path)")
        }
    }
}

/// Schema paths (`listeners[].tls.certificate`) of every member in `value`; arrays of objects contribute
/// their elements' members under `name[]`.
func collectSchemaPaths(_ value: JSONValue, prefix: String, into paths: inout Set<String>) {
    switch value {
    case .object(let members):
        for (name, member) in members {
            let path = prefix.isEmpty ? name : prefix + "." + name
            paths.insert(path)
            collectSchemaPaths(member, prefix: path, into: &paths)
        }
    case .array(let elements):
        for element in elements {
            if case .object = element { collectSchemaPaths(element, prefix: prefix + "[]", into: &paths) }
        }
    default:
        break
    }
}

@Suite struct PathResolutionTests {
    @Test func relativeConfigPathIsAnchoredAtTheWorkingDirectory() throws {
        let cwd = currentDirectory()
        let loaded = try ConfigLoader.parse(text: minimalConfig, path: "conf/proxy.conf")
        #expect(loaded.config.sourcePath == resolvePath("conf/proxy.conf", against: cwd))
        #expect(
            loaded.config.listeners[0].tls?.identity
                == .files(
                    certificate: resolvePath("conf/server.pem", against: cwd),
                    privateKey: resolvePath("conf/server.key", against: cwd)))
    }

    @Test func resolvePathCleansDotsButKeepsParents() {
        #expect(resolvePath("a/./b//c", against: "/etc") == "/etc/a/b/c")
        #expect(resolvePath("../x", against: "/etc/curfew") == "/etc/curfew/../x")
        #expect(resolvePath("/abs", against: "/etc") == "/abs")
        #expect(directory(of: "/proxy.conf") == "/")
        #expect(directory(of: "/etc/curfew/proxy.conf") == "/etc/curfew")
    }
}
