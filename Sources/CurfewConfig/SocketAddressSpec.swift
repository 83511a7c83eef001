/// An address to listen on, as written in the config: `"0.0.0.0:4984"`, `"[::1]:4984"`, `"localhost:4990"`.
///
/// Only numeric IPv4, bracketed IPv6 and `localhost` are accepted: a listener must not depend on DNS at start-up.
/// Port 0 is allowed (the kernel picks one; tests use it).
public struct SocketAddressSpec: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// `"0.0.0.0"`, `"::1"` (no brackets) or `"localhost"`.
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; nil if it is not one of the accepted forms.
    public init?(parsing text: String) {
        guard let parsed = Self.parse(text) else { return nil }
        self = parsed
    }

    /// `host:port`, with IPv6 hosts in brackets, as it would be written in the config.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private static func parse(_ text: String) -> SocketAddressSpec? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
            guard isIPv6(host) else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard host == "localhost" || isIPv4(host) else { return nil }
        }
        guard let port = parsePort(portText) else { return nil }
        return SocketAddressSpec(host: String(host), port: port)
    }
}

/// A decimal port, 0...65535, digits only (no sign, no spaces).
func parsePort(_ text: Substring) -> UInt16? {
    guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return UInt16(text)
}

/// Dotted-quad IPv4: four decimal parts 0...255, no leading zeros (they read as octal to some tools).
func isIPv4(_ text: Substring) -> Bool {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return false }
    return parts.allSatisfy { part in
        guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return false
        }
        if part.count > 1 && part.hasPrefix("0") { return false }
        return Int(part)! <= 255
    }
}

/// IPv6 text form (RFC 4291 §2.2): up to eight hex groups, at most one `::`, optionally ending in dotted IPv4.
func isIPv6(_ text: Substring) -> Bool {
    guard !text.isEmpty, text.count <= 45 else { return false }
    let doubleColons = text.ranges(of: "::").count
    guard doubleColons <= 1 else { return false }
    var groups = text.split(separator: ":", omittingEmptySubsequences: false)
    // "::1" and "1::" split with empty edge groups; drop those that belong to the "::".
    if text.hasPrefix("::") { groups.removeFirst() }
    if text.hasSuffix("::") { groups.removeLast() }
    var count = 0
    for (i, group) in groups.enumerated() {
        if group.isEmpty {
            guard doubleColons == 1 else { return false }
            continue
        }
        if i == groups.count - 1 && group.contains(".") {
            guard isIPv4(group) else { return false }
            count += 2
            continue
        }
        guard group.count <= 4, group.utf8.allSatisfy({ isHexDigit($0) }) else { return false }
        count += 1
    }
    return doubleColons == 1 ? count < 8 : count == 8
}

func isHexDigit(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
}
