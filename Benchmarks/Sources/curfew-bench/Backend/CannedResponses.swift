/// The backend's fixed answers, built once.
enum CannedResponses {
    /// A small body shaped like Sync Gateway's `GET /{db}/` (about 110 bytes).
    static let dbInfoBody =
        #"{"db_name":"db","update_seq":1,"committed_update_seq":1,"instance_start_time":1700000000000000,"state":"Online"}"#

    static let dbInfo = response(status: "200 OK", body: dbInfoBody, connection: nil)
    static let dbInfoClose = response(status: "200 OK", body: dbInfoBody, connection: "close")
    static let dbInfoKeepAlive = response(status: "200 OK", body: dbInfoBody, connection: "keep-alive")
    static let notUpgrade = response(
        status: "400 Bad Request", body: #"{"error":"Bad Request","reason":"expected a websocket upgrade"}"#,
        connection: nil)
    static let headTooLarge = response(
        status: "431 Request Header Fields Too Large", body: #"{"error":"Bad Request"}"#, connection: "close")
    static let badRequest = response(status: "400 Bad Request", body: #"{"error":"Bad Request"}"#, connection: "close")
    static let chunkedRefused = response(
        status: "501 Not Implemented", body: #"{"error":"chunked request bodies are not supported"}"#,
        connection: "close")

    static func response(status: String, body: String, connection: String?) -> [UInt8] {
        var text = "HTTP/1.1 \(status)\r\nServer: curfew-bench\r\nContent-Type: application/json\r\n"
        text += "Content-Length: \(body.utf8.count)\r\n"
        if let connection { text += "Connection: \(connection)\r\n" }
        text += "\r\n" + body
        return Array(text.utf8)
    }

    /// The 101, with `Sec-WebSocket-Protocol` echoing the first offered subprotocol (as SG picks BLIP_3+CBMobile_N).
    static func switching(key: String, subprotocol: String?) -> [UInt8] {
        var text = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Accept: \(Upgrade.accept(forKey: key))\r\n"
        if let subprotocol { text += "Sec-WebSocket-Protocol: \(subprotocol)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
