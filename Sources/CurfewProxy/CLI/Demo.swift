import CurfewConfig
import CurfewTLS

#if canImport(Glibc)
import Glibc
#endif

/// `curfew demo`: the built-in demo gateway on a loopback port, curfew in front of it with a self-signed
/// certificate and JWT enforcement, human-readable logs, a few commands to try printed on stderr, and the built-in
/// client (`DemoClient`) whose short-lived tokens lapse and are cut, over and over, so the `cut` line can be watched.
enum Demo {
    struct Options {
        /// The client listener's port (0: the kernel picks; the address is printed).
        var port: UInt16 = 4984
        /// Lifetime of the built-in client's tokens, in seconds.
        var tokenLifetime: Int64 = 10
        /// false: no built-in client (only the gateway and curfew).
        var client = true
    }

    static func run(_ options: Options) -> Int32 {
        let gateway: DemoGateway
        do {
            gateway = try DemoGateway(port: 0)
            gateway.start()
        } catch {
            Server.printError("demo gateway: \(error)")
            return 1
        }
        guard let files = DemoFiles.make() else {
            Server.printError("demo: cannot create a temporary folder for the demo's secrets")
            return 1
        }
        defer { files.remove() }
        let issuer = DemoTokenIssuer(secret: files.jwtSecret)
        // leeway 0s so the cut lands on the token's exp to the tick; Basic (for curl -u) lives 30 s.
        let text = """
            {
              workers: 1,
              listeners: [{ address: "127.0.0.1:\(options.port)", tls: { self_signed: true } }],
              upstream: { url: "http://127.0.0.1:\(gateway.port)" },
              credentials: {
                jwt: { issuers: [{ issuer: "\(DemoTokenIssuer.issuer)", audiences: ["\(DemoTokenIssuer.audience)"],
                                   hmac_secret_file: "\(files.jwtSecretPath)", algorithms: ["HS256"] }],
                       leeway: "0s" },
                basic: { max_age: "30s" },
              },
              admin: { address: "127.0.0.1:0", token_file: "\(files.adminTokenPath)" },
              log: { format: "text", level: "info" },
            }
            """
        return Server.run(load: { () throws(ConfigError) -> LoadedConfig in
            try ConfigLoader.parse(text: text, path: "<demo>")
        }) { listeners in
            let address = listeners.first { $0.role == "public" }?.address ?? "127.0.0.1:\(options.port)"
            let admin = listeners.first { $0.role == "admin" }?.address ?? "?"
            let clientNote =
                options.client
                ? """

                    The built-in client (lines "demo client: ...") replicates with tokens that live \(options.tokenLifetime) s:
                    watch curfew cut it at the token's expiry (the "cut" log line), refuse its retry with 401, and the
                    app log in again.
                  """ : ""
            Server.printError(
                """
                demo: a Sync Gateway stand-in listens on 127.0.0.1:\(gateway.port); curfew serves it on https://\(address)
                  (self-signed certificate: use -k / --insecure).\(clientNote)
                  Try, in another terminal:
                    curl -k https://\(address)/db/
                    curl -k -i -u demo:any -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \\
                         -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H 'Sec-WebSocket-Protocol: BLIP_3+CBMobile_3' \\
                         https://\(address)/db/_blipsync        # Basic: cut after 30 s (basic.max_age)
                    curl -H "Authorization: Bearer $(cat \(files.adminTokenPath))" http://\(admin)/connections
                  Stop with Ctrl-C.
                """)
            if options.client, let port = UInt16(address.split(separator: ":").last ?? "") {
                DemoClient(port: port, issuer: issuer, tokenLifetime: options.tokenLifetime).start()
            }
        }
    }
}

/// The demo's secrets, in a private temporary folder removed at exit: the JWT issuer's HMAC key (curfew reads
/// secrets from files only) and the admin API token.
struct DemoFiles {
    let folder: String
    let jwtSecret: [UInt8]
    var jwtSecretPath: String { folder + "/jwt-hmac.key" }
    var adminTokenPath: String { folder + "/admin.token" }

    static func make() -> DemoFiles? {
        var template = Array("/tmp/curfew-demo-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return nil }
        // Hex, not raw bytes: secret files lose trailing newlines, and a raw key could end in one.
        let secret = Array(hex(SecureRandom.bytes(32)).utf8)
        let files = DemoFiles(folder: String(cString: made), jwtSecret: secret)
        guard write(secret, to: files.jwtSecretPath), write(Array(hex(SecureRandom.bytes(16)).utf8), to: files.adminTokenPath)
        else {
            files.remove()
            return nil
        }
        return files
    }

    func remove() {
        unlink(jwtSecretPath)
        unlink(adminTokenPath)
        rmdir(folder)
    }

    private static func write(_ bytes: [UInt8], to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) == $0.count }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
