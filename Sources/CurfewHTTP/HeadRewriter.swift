/// Who the proxy is forwarding for; becomes the `X-Forwarded-*` fields upstream.
public struct ForwardingInfo: Sendable, Equatable {
    /// The client's IP address as text ("203.0.113.7", "2001:db8::1").
    public var clientAddress: String
    /// Whether the client connected over TLS (`X-Forwarded-Proto: https`).
    public var isTLS: Bool

    public init(clientAddress: String, isTLS: Bool) {
        self.clientAddress = clientAddress
        self.isTLS = isTLS
    }
}

/// Serializes heads for forwarding: hop-by-hop fields dropped (RFC 9110 §7.6.1), everything else byte-for-byte
/// in its original order.
public enum HeadRewriter {
    /// Fields that describe one connection, never forwarded.
    static let hopByHop = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "proxy-authorization",
        "proxy-authenticate",
    ]
    /// Fields a client must not be able to strip by naming them in `Connection`: the framing fields (dropping
    /// Content-Length while forwarding the body verbatim would desynchronise upstream) and Host.
    static let framingFields = ["content-length", "transfer-encoding", "host"]
    /// Also kept on a websocket upgrade whatever `Connection` says: Sync Gateway authenticates the upgrade with them.
    static let upgradeFields = ["authorization", "cookie"]
    static let forwardingFields = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded"]

    /// The request head to send upstream: `METHOD SP target SP HTTP/1.1`, then the client's fields minus the
    /// hop-by-hop ones and any named in `Connection`. `Content-Length` and `Transfer-Encoding` are kept (the body
    /// is forwarded verbatim).
    ///
    /// For a websocket upgrade (`isWebSocketUpgrade`) `Upgrade` is kept, `Connection: Upgrade` is emitted, and every
    /// `Sec-WebSocket-*`, `Authorization` and `Cookie` field is kept byte-for-byte.
    ///
    /// - Parameter forwarding: nil adds nothing (admin pass-through). Otherwise every client-supplied
    ///   `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host` and `Forwarded` is dropped, and
    ///   `X-Forwarded-For: <client ip>`, `X-Forwarded-Proto: https|http` and `X-Forwarded-Host: <Host value>`
    ///   are appended.
    public static func upstreamRequest(_ head: HTTPHead, forwarding: ForwardingInfo?) -> [UInt8] {
        precondition(head.kind == .request, "upstreamRequest needs a request head")
        let upgrade = isWebSocketUpgrade(head)
        var out: [UInt8] = []
        out.reserveCapacity(head.rawBytes.count + 128)
        out.append(contentsOf: head.rawBytes[head.part1])
        out.append(ASCII.sp)
        out.append(contentsOf: head.rawBytes[head.part2])
        out.append(contentsOf: " HTTP/1.1\r\n".utf8)

        let nominated = connectionNominated(head)
        head.rawBytes.withUnsafeBufferPointer { buf in
            for span in head.fieldSpans {
                let name = UnsafeBufferPointer(rebasing: buf[span.name])
                let keep: Bool
                if upgrade && (isOneOf(name, upgradeFields) || hasPrefix(name, "sec-websocket-")) {
                    keep = true
                } else if upgrade && ASCII.equalsCaseInsensitive(name, 0..<name.count, "upgrade") {
                    keep = true
                } else if isOneOf(name, framingFields) {
                    keep = true
                } else if isOneOf(name, hopByHop) || nominated.contains(where: { equals(name, $0) }) {
                    keep = false
                } else if forwarding != nil && isOneOf(name, forwardingFields) {
                    keep = false
                } else {
                    keep = true
                }
                if keep { appendField(&out, buf, span) }
            }
        }
        if upgrade {
            out.append(contentsOf: "Connection: Upgrade\r\n".utf8)
        }
        if let forwarding {
            appendField(&out, "X-Forwarded-For", sanitized(forwarding.clientAddress))
            appendField(&out, "X-Forwarded-Proto", forwarding.isTLS ? "https" : "http")
            if let host = head.fieldIndices(named: "host").first {
                out.append(contentsOf: "X-Forwarded-Host: ".utf8)
                out.append(contentsOf: head.rawBytes[head.fieldSpans[host].value])
                out.append(contentsOf: "\r\n".utf8)
            }
        }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }

    /// The response head to send to the client: `HTTP/1.1 NNN reason`, the upstream fields minus hop-by-hop ones
    /// (and any named in `Connection`), plus `Connection: close` when `closeAfter`. When upstream sent both
    /// Transfer-Encoding and Content-Length, Content-Length is dropped (the body is framed by Transfer-Encoding,
    /// see `responseBodyFraming`). A 101 response is forwarded as received instead.
    public static func clientResponse(_ head: HTTPHead, closeAfter: Bool) -> [UInt8] {
        precondition(head.kind == .response, "clientResponse needs a response head")
        var out: [UInt8] = []
        out.reserveCapacity(head.rawBytes.count + 32)
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        out.append(contentsOf: head.rawBytes[head.part2])
        out.append(ASCII.sp)
        out.append(contentsOf: head.rawBytes[head.part3])
        out.append(contentsOf: "\r\n".utf8)
        let nominated = connectionNominated(head)
        // RFC 9112 §6.3: with both, Transfer-Encoding wins, and an intermediary MUST remove Content-Length before
        // forwarding, so the client cannot pick the other one.
        let dropContentLength = head.contains("transfer-encoding")
        head.rawBytes.withUnsafeBufferPointer { buf in
            for span in head.fieldSpans {
                let name = UnsafeBufferPointer(rebasing: buf[span.name])
                let drop: Bool
                if ASCII.equalsCaseInsensitive(name, 0..<name.count, "content-length") {
                    drop = dropContentLength
                } else if isOneOf(name, framingFields) {
                    drop = false
                } else {
                    drop = isOneOf(name, hopByHop) || nominated.contains(where: { equals(name, $0) })
                }
                if !drop { appendField(&out, buf, span) }
            }
        }
        if closeAfter {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }

    // MARK: Helpers

    /// The field names listed in `Connection` (RFC 9110 §7.6.1), as bytes.
    static func connectionNominated(_ head: HTTPHead) -> [[UInt8]] {
        var names: [[UInt8]] = []
        head.forEachToken(in: "connection") { buf, range in
            names.append(Array(buf[range]))
            return true
        }
        return names
    }

    @inline(__always)
    private static func equals(_ name: UnsafeBufferPointer<UInt8>, _ other: [UInt8]) -> Bool {
        other.withUnsafeBufferPointer { ASCII.equalsCaseInsensitive(name, $0) }
    }

    private static func isOneOf(_ name: UnsafeBufferPointer<UInt8>, _ list: [String]) -> Bool {
        list.contains { ASCII.equalsCaseInsensitive(name, 0..<name.count, $0) }
    }

    private static func hasPrefix(_ name: UnsafeBufferPointer<UInt8>, _ prefix: String) -> Bool {
        let count = prefix.utf8.count
        return name.count >= count && ASCII.equalsCaseInsensitive(name, 0..<count, prefix)
    }

    /// Copies a field line as received: name, ": ", trimmed value.
    private static func appendField(_ out: inout [UInt8], _ buf: UnsafeBufferPointer<UInt8>, _ span: HTTPHead.FieldSpan)
    {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[span.name]))
        out.append(contentsOf: ": ".utf8)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[span.value]))
        out.append(contentsOf: "\r\n".utf8)
    }

    static func appendField(_ out: inout [UInt8], _ name: String, _ value: String) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: ": ".utf8)
        out.append(contentsOf: value.utf8)
        out.append(contentsOf: "\r\n".utf8)
    }

    /// Drops bytes that could end a field line or smuggle a control character into a head we write.
    static func sanitized(_ value: String) -> String {
        String(decoding: value.utf8.filter { ASCII.isFieldValueChar($0) }, as: UTF8.self)
    }
}
