import CurfewNet

/// `backend`: the fast fake Sync Gateway the proxies are measured in front of. Plain TCP, one thread, one epoll
/// loop; HTTP/1.1 keep-alive for `GET /{db}/`, and websockets on `…/_blipsync` in echo, sink or source mode.
enum Backend {
    static let flags: Set<String> = ["listen", "max-seconds"]

    static func main(_ args: Arguments, stop: StopSignal) throws -> Int32 {
        let (host, port) = try parseListen(try args.required("listen"))
        let maxSeconds = try args.seconds("max-seconds", default: 7 * 86_400)
        let address: SocketAddress
        do {
            address = try SocketAddress(host: host, port: port)
        } catch {
            throw UsageError("--listen: cannot resolve \(host): \(error)")
        }
        guard address.isLoopback else { throw UsageError("--listen must be a loopback address (127.0.0.0/8, ::1)") }
        let server: BackendServer
        do {
            server = try BackendServer(address: address, stop: stop)
        } catch {
            throw BenchFailure("cannot listen on \(address): \(error)")
        }
        var line = JSONLine()
        line.add("listening", server.boundAddress)
        Console.result(line)
        server.run(maxSeconds: maxSeconds)
        return 0
    }

    /// `HOST:PORT` or `[V6]:PORT`; port 0 asks the kernel for a free one.
    static func parseListen(_ text: String) throws(UsageError) -> (String, UInt16) {
        guard let colon = text.lastIndex(of: ":") else { throw UsageError("--listen must be HOST:PORT, got '\(text)'") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = UInt16(text[text.index(after: colon)...]) else {
            throw UsageError("--listen must be HOST:PORT, got '\(text)'")
        }
        return (host, port)
    }
}
