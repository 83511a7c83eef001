import CurfewNet
import CurfewTLS

/// The outcome of one read or write on a connection side.
enum StreamStatus {
    case bytes(Int)
    /// Nothing can move now; the next epoll edge on this fd will tell.
    case wouldBlock
    /// Orderly end of stream (EOF, or a TLS close_notify / EOF without it).
    case closed
    case failed(String)
}

/// One side of a proxied connection: a plain socket or TLS over it. The fd belongs to the connection,
/// which closes it; the stream only moves bytes.
protocol ByteStream: AnyObject {
    var fd: Int32 { get }
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamStatus
    func write(_ bytes: UnsafeRawBufferPointer) -> StreamStatus
    /// True while TLS holds decrypted bytes that no socket edge will announce.
    var hasBufferedInput: Bool { get }
    /// Best-effort orderly shutdown of the write side (TLS close_notify or TCP FIN).
    func shutdownWrite()
}

final class PlainStream: ByteStream {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamStatus {
        do {
            switch try Socket.read(fd, into: buffer) {
            case .wouldBlock: return .wouldBlock
            case .done(0): return .closed
            case .done(let n): return .bytes(n)
            }
        } catch {
            return error.errno == ECONNRESET ? .closed : .failed(error.description)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> StreamStatus {
        do {
            switch try Socket.write(fd, bytes) {
            case .wouldBlock: return .wouldBlock
            case .done(let n): return .bytes(n)
            }
        } catch {
            return .failed(error.description)
        }
    }

    var hasBufferedInput: Bool { false }
    func shutdownWrite() { Socket.shutdownWrite(fd) }
}

final class TLSStream: ByteStream {
    let fd: Int32
    let tls: TLSConnection
    init(fd: Int32, tls: TLSConnection) {
        self.fd = fd
        self.tls = tls
    }

    /// Fills `buffer` with as many records as the socket has (SSL_read returns one record, at most 16 KiB, per
    /// call): the other side then gets one write of up to 64 KiB instead of four. A close or error after some
    /// bytes is reported by the next call, which meets it again.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamStatus {
        var total = 0
        while total < buffer.count {
            let status = tls.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]))
            switch status {
            case .bytes(let n):
                if n == 0 { return total > 0 ? .bytes(total) : .wouldBlock }
                total += n
                continue
            case .wantRead, .wantWrite:
                return total > 0 ? .bytes(total) : .wouldBlock
            case .closed:
                return total > 0 ? .bytes(total) : .closed
            case .failed(let error):
                return total > 0 ? .bytes(total) : .failed(error.description)
            }
        }
        return .bytes(total)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> StreamStatus {
        switch tls.write(bytes) {
        case .bytes(let n): return .bytes(n)
        case .wantRead, .wantWrite: return .wouldBlock
        case .closed: return .closed
        case .failed(let error): return .failed(error.description)
        }
    }

    var hasBufferedInput: Bool { tls.hasBufferedPlaintext }
    func shutdownWrite() { tls.shutdown() }
}

import Glibc
