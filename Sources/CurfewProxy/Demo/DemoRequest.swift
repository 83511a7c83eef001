/// A parsed request head of the demo gateway. Strings are fine here: the demo is not a hot path.
struct DemoRequest {
    let method: String
    /// The target without its query string.
    let path: String
    let version: String
    /// Header names lowercased, values trimmed, in arrival order.
    let headers: [(name: String, value: String)]

    init?(head: [UInt8]) {
        let lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.last == 13 ? line.dropLast() : line
            return String(decoding: trimmed, as: UTF8.self)
        }
        guard let requestLine = lines.first else { return nil }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[1].hasPrefix("/") else { return nil }
        method = String(parts[0])
        path = String(parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        version = String(parts[2])
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].lowercased()
            guard !name.isEmpty, !name.contains(" ") else { return nil }
            headers.append((name, Self.trim(line[line.index(after: colon)...])))
        }
        self.headers = headers
    }

    /// Every value of a header (lowercase name), split on commas, trimmed.
    func listValues(_ name: String) -> [String] {
        headers.filter { $0.name == name }.flatMap { $0.value.split(separator: ",").map { Self.trim($0) } }
    }

    func value(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    var contentLength: Int { value("content-length").flatMap { Int($0) } ?? 0 }

    var chunked: Bool { listValues("transfer-encoding").contains { $0.lowercased() == "chunked" } }

    /// HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only when asked to keep it.
    var keepAlive: Bool {
        let tokens = listValues("connection").map { $0.lowercased() }
        if version == "HTTP/1.0" { return tokens.contains("keep-alive") }
        return !tokens.contains("close")
    }

    private static func trim(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// Response bytes of the demo gateway.
enum DemoResponse {
    static func json(status: Int, body: String, keepAlive: Bool, omitBody: Bool) -> [UInt8] {
        let bodyBytes = Array(body.utf8)
        var head = "HTTP/1.1 \(status) \(reason(status))\r\n"
        head += "Content-Type: application/json\r\n"
        head += "Content-Length: \(bodyBytes.count)\r\n"
        head += "Server: curfew-demo-gateway\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (omitBody ? [] : bodyBytes)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 101: "Switching Protocols"
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        default: "Unknown"
        }
    }
}
