import CurfewNet
import CurfewTLS

/// The outcome of one read or write, the same for plain TCP and TLS.
enum IOStep {
    case bytes(Int)
    /// Try again on the next readiness edge (EAGAIN, or OpenSSL wants the other direction).
    case wouldBlock
    /// Orderly end of stream (FIN, or close_notify).
    case closed
    /// Reset or another error; the text says which.
    case failed(String)
}

/// A connected socket, optionally under TLS. Plain value type: the fd and the session belong to the connection.
struct Transport {
    let fd: Int32
    var tls: TLSConnection?

    @inline(__always)
    func read(into buf: UnsafeMutableRawBufferPointer) -> IOStep {
        if let tls {
            switch tls.read(into: buf) {
            case .bytes(let n): return n > 0 ? .bytes(n) : .wouldBlock
            case .wantRead, .wantWrite: return .wouldBlock
            case .closed: return .closed
            case .failed(let e): return .failed(e.description)
            }
        }
        do {
            switch try Socket.read(fd, into: buf) {
            case .done(let n): return n == 0 ? .closed : .bytes(n)
            case .wouldBlock: return .wouldBlock
            }
        } catch {
            return .failed(error.description)
        }
    }

    @inline(__always)
    func write(_ bytes: UnsafeRawBufferPointer) -> IOStep {
        if let tls {
            switch tls.write(bytes) {
            case .bytes(let n): return .bytes(n)
            case .wantRead, .wantWrite: return .wouldBlock
            case .closed: return .closed
            case .failed(let e): return .failed(e.description)
            }
        }
        do {
            switch try Socket.write(fd, bytes) {
            case .done(let n): return .bytes(n)
            case .wouldBlock: return .wouldBlock
            }
        } catch {
            return .failed(error.description)
        }
    }
}
