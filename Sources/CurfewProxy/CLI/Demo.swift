import CurfewConfig

#if canImport(Glibc)
import Glibc
#endif

/// `curfew demo`: the built-in demo gateway on a loopback port, curfew in front of it with a self-signed
/// certificate, human-readable logs, and a few commands to try printed on stderr.
enum Demo {
    static func run(port: UInt16) -> Int32 {
        let gateway: DemoGateway
        do {
            gateway = try DemoGateway(port: 0)
            gateway.start()
        } catch {
            Server.printError("demo gateway: \(error)")
            return 1
        }
        let text = """
            {
              workers: 1,
              listeners: [{ address: "127.0.0.1:\(port)", tls: { self_signed: true } }],
              upstream: { url: "http://127.0.0.1:\(gateway.port)" },
              log: { format: "text", level: "info" },
            }
            """
        return Server.run(load: { () throws(ConfigError) -> LoadedConfig in
            try ConfigLoader.parse(text: text, path: "<demo>")
        }) { listeners in
            let address = listeners.first?.address ?? "127.0.0.1:\(port)"
            Server.printError(
                """
                demo: a Sync Gateway stand-in listens on 127.0.0.1:\(gateway.port); curfew serves it on https://\(address)
                  (self-signed certificate: use -k / --insecure). Try, in another terminal:
                    curl -k https://\(address)/db/
                    curl -k -i -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \\
                         -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H 'Sec-WebSocket-Protocol: BLIP_3+CBMobile_3' \\
                         https://\(address)/db/_blipsync
                  Stop with Ctrl-C.
                """)
        }
    }
}
