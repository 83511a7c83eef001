import FoundationEssentials
import Testing

@testable import CurfewConfig

@Suite struct SecretFileTests {
    /// A fresh file holding `bytes`, removed by the caller.
    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = "/tmp/curfew-secret-test-\(UInt64.random(in: 0...UInt64.max))"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test(arguments: [
        (Array("secret\n".utf8), Array("secret".utf8)),
        (Array("secret\r\n".utf8), Array("secret".utf8)),
        (Array("secret\n\n".utf8), Array("secret".utf8)),
        (Array("secret".utf8), Array("secret".utf8)),
        (Array(" s e\n cret \n".utf8), Array(" s e\n cret ".utf8)),
        ([0, 1, 2, 0x0A], [0, 1, 2]),
    ])
    func trailingNewlinesAreRemoved(content: [UInt8], expected: [UInt8]) throws {
        let path = try temporaryFile(content)
        defer { remove(path) }
        #expect(try SecretFile.read(path: path) == expected)
    }

    @Test func emptySecretIsRefusedWithoutContent() throws {
        let path = try temporaryFile(Array("\n".utf8))
        defer { remove(path) }
        #expect(throws: ConfigError(file: path, kind: .invalidValue, message: "the secret file is empty")) {
            try SecretFile.read(path: path)
        }
    }

    @Test func missingFileSaysWhy() {
        #expect(
            throws: ConfigError(
                file: "/nonexistent/token", kind: .cannotRead,
                message: "cannot read: No such file or directory")
        ) {
            try SecretFile.read(path: "/nonexistent/token")
        }
    }

    @Test func oversizedFileIsRefused() throws {
        let path = try temporaryFile([UInt8](repeating: 0x41, count: SecretFile.maximumSize + 1))
        defer { remove(path) }
        #expect(throws: ConfigError(file: path, kind: .cannotRead, message: "cannot read: larger than 65536 bytes")) {
            try SecretFile.read(path: path)
        }
    }

    @Test func loadingAConfigReadsNoSecretFile() throws {
        // The named files do not exist; loading must still succeed because it never opens them.
        let c = try parse(
            minimal(
                plus: """
                    admin: { address: "127.0.0.1:4990", token_file: "/nonexistent/admin.token" },
                    """)
        ).config
        #expect(c.admin?.tokenFile == "/nonexistent/admin.token")
    }
}
