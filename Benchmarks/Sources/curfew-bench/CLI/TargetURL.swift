import CurfewNet

/// `ws://`, `wss://`, `http://` or `https://` `HOST[:PORT]/PATH[?QUERY]`: just what the load client needs.
/// No user info, no fragment; the host is a name or an IP literal (`[::1]` for IPv6).
struct TargetURL {
    enum Scheme: String { case ws, wss, http, https }

    let scheme: Scheme
    /// As written, brackets removed (`::1`, `127.0.0.1`, `localhost`).
    let host: String
    let port: UInt16
    /// Path and query as they go on the request line (`/db/_blipsync?mode=sink`).
    private(set) var path: String
    private(set) var query: String?

    var isTLS: Bool { scheme == .wss || scheme == .https }
    var isWebSocket: Bool { scheme == .ws || scheme == .wss }
    var requestTarget: String { query.map { path + "?" + $0 } ?? path }

    /// The default `Host` header: `host[:port]`, the port left out when it is the scheme's default.
    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let defaultPort: UInt16 = isTLS ? 443 : 80
        return port == defaultPort ? h : "\(h):\(port)"
    }

    init(_ text: String) throws(UsageError) {
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let scheme = Scheme(rawValue: parts[0].lowercased())
        else { throw UsageError("url '\(text)' must start with ws://, wss://, http:// or https://") }
        self.scheme = scheme
        let rest = parts[1]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var pathAndQuery = String(rest[authorityEnd...])
        if pathAndQuery.hasPrefix("?") || pathAndQuery.isEmpty { pathAndQuery = "/" + pathAndQuery }
        if let hash = pathAndQuery.firstIndex(of: "#") { pathAndQuery = String(pathAndQuery[..<hash]) }
        if let q = pathAndQuery.firstIndex(of: "?") {
            path = String(pathAndQuery[..<q])
            let qs = String(pathAndQuery[pathAndQuery.index(after: q)...])
            query = qs.isEmpty ? nil : qs
        } else {
            path = pathAndQuery
            query = nil
        }
        guard !authority.isEmpty, !authority.contains("@") else { throw UsageError("url '\(text)' has no usable host") }
        var hostPart = Substring(authority)
        var portPart: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw UsageError("url '\(text)': unclosed '['") }
            let after = hostPart[hostPart.index(after: close)...]
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty {
                throw UsageError("url '\(text)': junk after ']'")
            }
        } else if let colon = hostPart.lastIndex(of: ":") {
            portPart = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { throw UsageError("url '\(text)' has no host") }
        host = String(hostPart)
        if let portPart {
            guard let p = UInt16(portPart), p > 0 else { throw UsageError("url '\(text)': bad port '\(portPart)'") }
            port = p
        } else {
            port = (scheme == .wss || scheme == .https) ? 443 : 80
        }
        for c in path.utf8 where c <= 0x20 || c == 0x7F {
            throw UsageError("url '\(text)': the path must not contain spaces or control characters")
        }
    }

    /// Sets query parameters, replacing a parameter of the same name (`?mode=echo` becomes `?mode=sink`) and
    /// keeping every other one in place.
    func settingQuery(_ params: [(String, String)]) -> TargetURL {
        var pairs = (query ?? "").split(separator: "&", omittingEmptySubsequences: true).map(String.init)
        for (name, value) in params {
            let item = "\(name)=\(value)"
            if let i = pairs.firstIndex(where: { $0 == name || $0.hasPrefix(name + "=") }) {
                pairs[i] = item
            } else {
                pairs.append(item)
            }
        }
        var copy = self
        copy.query = pairs.isEmpty ? nil : pairs.joined(separator: "&")
        return copy
    }

    /// Refuses anything but loopback (127.0.0.0/8, ::1): this tool floods whatever it is pointed at.
    func requireLoopback(_ flag: String) throws(UsageError) {
        let address: SocketAddress
        do {
            address = try SocketAddress(host: host, port: port)
        } catch {
            throw UsageError("\(flag): cannot resolve \(host): \(error)")
        }
        guard address.isLoopback else { throw UsageError("\(flag): \(host) is not a loopback address (127.0.0.0/8, ::1)") }
    }
}
