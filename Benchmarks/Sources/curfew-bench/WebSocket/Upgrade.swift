import CurfewTLS

/// The opening handshake (RFC 6455 §4), both sides.
enum Upgrade {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// What Couchbase Lite 3.x offers; the backend echoes the first offered subprotocol, as SG does.
    static let blipProtocol = "BLIP_3+CBMobile_3"

    /// `Sec-WebSocket-Accept` for a client key.
    static func accept(forKey key: String) -> String {
        Base64.encode(Digest.sha1(Array((key + guid).utf8)))
    }

    /// A fresh random `Sec-WebSocket-Key` (16 random bytes, base64).
    static func newKey() -> String { Base64.encode(SecureRandom.bytes(16)) }

    /// The client's upgrade request. `extraHeaders` are complete `Name: value` lines (from `--header`, plus
    /// `Authorization` for the JWT benchmarks).
    static func request(target: String, host: String, key: String, extraHeaders: [String]) -> [UInt8] {
        var text = "GET \(target) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Protocol: \(blipProtocol)\r\n"
        for line in extraHeaders { text += line + "\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
