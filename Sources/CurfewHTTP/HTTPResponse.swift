/// Curfew's own answers (errors, the admin API): small, complete responses with a JSON body.
public enum HTTPResponse {
    /// A complete response: `HTTP/1.1 NNN reason`, the given fields, `Content-Type: application/json`,
    /// `Content-Length`, and `Connection: close` when `close` is set, then the body.
    ///
    /// Control characters in field names, values and the reason are dropped, so no input echoed into a header
    /// can split the head.
    public static func simple(
        status: Int, reason: String, headers: [(name: String, value: String)] = [], jsonBody: String,
        close: Bool = false
    ) -> [UInt8] {
        simple(status: status, reason: reason, headers: headers, jsonBody: Array(jsonBody.utf8), close: close)
    }

    /// Same, with the body as bytes.
    public static func simple(
        status: Int, reason: String, headers: [(name: String, value: String)] = [], jsonBody: [UInt8],
        close: Bool = false
    ) -> [UInt8] {
        precondition((100...999).contains(status), "status must have three digits")
        var out: [UInt8] = []
        out.reserveCapacity(128 + jsonBody.count)
        out.append(contentsOf: "HTTP/1.1 \(status) \(HeadRewriter.sanitized(reason))\r\n".utf8)
        for (name, value) in headers {
            let cleanName = String(decoding: name.utf8.filter(ASCII.isTokenChar), as: UTF8.self)
            guard !cleanName.isEmpty else { continue }
            HeadRewriter.appendField(&out, cleanName, HeadRewriter.sanitized(value))
        }
        HeadRewriter.appendField(&out, "Content-Type", "application/json")
        HeadRewriter.appendField(&out, "Content-Length", String(jsonBody.count))
        if close {
            HeadRewriter.appendField(&out, "Connection", "close")
        }
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: jsonBody)
        return out
    }
}
