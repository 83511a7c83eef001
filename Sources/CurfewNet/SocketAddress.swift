#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 socket address, stored as `sockaddr_storage`.
public struct SocketAddress: Sendable, CustomStringConvertible {
    var storage: sockaddr_storage
    var length: socklen_t

    /// Parses a numeric host (`127.0.0.1`, `::1`, `[::1]`) or resolves a name (`localhost`) with getaddrinfo.
    public init(host: String, port: UInt16) throws(IOError) {
        var trimmed = host
        if trimmed.hasPrefix("["), trimmed.hasSuffix("]") { trimmed = String(trimmed.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(trimmed, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw IOError(call: "getaddrinfo(\(host))", errno: rc == EAI_SYSTEM ? errno : ENOENT)
        }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        let length = first.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(length)))
        }
        self.storage = storage
        self.length = length
    }

    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    public var family: Int32 { Int32(storage.ss_family) }

    /// The numeric host, without brackets (`127.0.0.1`, `::1`).
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var copy = storage
        let ok: Bool = withUnsafePointer(to: &copy) { ptr in
            ptr.withMemoryRebound(to: UInt8.self, capacity: MemoryLayout<sockaddr_storage>.size) { raw in
                if family == AF_INET {
                    return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                        var addr = sin.pointee.sin_addr
                        return inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count)) != nil
                    }
                } else {
                    return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                        var addr = sin6.pointee.sin6_addr
                        return inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count)) != nil
                    }
                }
            }
        }
        guard ok else { return "?" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    public var port: UInt16 {
        var copy = storage
        return withUnsafePointer(to: &copy) { ptr in
            ptr.withMemoryRebound(to: UInt8.self, capacity: MemoryLayout<sockaddr_storage>.size) { raw in
                if family == AF_INET {
                    return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
                }
                return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        }
    }

    /// `127.0.0.1:4984` or `[::1]:4984`.
    public var description: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// True for 127.0.0.0/8 and ::1.
    public var isLoopback: Bool {
        let h = host
        return h.hasPrefix("127.") || h == "::1" || h == "::ffff:127.0.0.1"
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var copy = storage
        return withUnsafePointer(to: &copy) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
