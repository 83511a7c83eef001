/// Where Sync Gateway listens: `http://127.0.0.1:4984`, `https://sg.internal:4984`, `http://[::1]:4985`.
///
/// Only scheme, host and port: the proxy forwards request paths unchanged, so a path prefix, query, fragment or
/// user info in the URL would be silently ignored and is refused instead (a trailing `/` is fine).
public struct UpstreamURL: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Equatable, Hashable, CaseIterable {
        case http
        case https

        public var defaultPort: UInt16 { self == .http ? 80 : 443 }
    }

    public var scheme: Scheme
    /// A DNS name (lowercased), IPv4 address, or IPv6 address without brackets.
    public var host: String
    /// The port, filled in from the scheme's default when the URL has none.
    public var port: UInt16

    public init(scheme: Scheme, host: String, port: UInt16? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port ?? scheme.defaultPort
    }

    /// Parses `scheme://host[:port][/]`; nil if it is not of that form.
    public init?(parsing text: String) {
        guard let parsed = Self.parse(text) else { return nil }
        self = parsed
    }

    /// `scheme://host:port`, always with the port, IPv6 hosts in brackets.
    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(h):\(port)"
    }

    /// The `Host` header value for requests to this upstream (RFC 9110 §7.2): the port is left out when it is
    /// the scheme's default.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == scheme.defaultPort ? h : "\(h):\(port)"
    }

    private static func parse(_ text: String) -> UpstreamURL? {
        guard let separator = text.ranges(of: "://").first else { return nil }
        guard let scheme = Scheme(rawValue: text[..<separator.lowerBound].lowercased()) else { return nil }
        var authority = text[separator.upperBound...]
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        guard !authority.contains(where: { "/?#@ ".contains($0) }) else { return nil }
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            guard isIPv6(host) else { return nil }
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard isIPv4(host) || isDNSName(host) else { return nil }
        }
        var port: UInt16?
        if let portText {
            guard let p = parsePort(portText), p != 0 else { return nil }
            port = p
        }
        return UpstreamURL(scheme: scheme, host: host.lowercased(), port: port)
    }
}

/// A DNS host name (RFC 1123): dot-separated labels of letters, digits and inner hyphens.
func isDNSName(_ text: Substring) -> Bool {
    guard !text.isEmpty, text.utf8.count <= 253 else { return false }
    let labels = text.split(separator: ".", omittingEmptySubsequences: false)
    return labels.allSatisfy { label in
        guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-") else {
            return false
        }
        return label.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
        }
    }
}
