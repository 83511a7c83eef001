import CurfewNet
import CurfewTLS
import CurfewTimer

/// Who gets an upstream socket's events: the client connection it serves, or the pool while it idles.
protocol UpstreamOwner: AnyObject {
    func upstreamEvent(_ upstream: UpstreamConnection, readiness: Readiness)
}

/// One TCP (optionally TLS) connection to Sync Gateway.
final class UpstreamConnection: EventHandler {
    enum State {
        case connecting
        case tlsHandshake(TLSConnection)
        case ready
        case closed
    }

    let id: UInt64
    let fd: Int32
    private(set) var state: State
    private(set) var stream: ByteStream
    weak var owner: UpstreamOwner?
    var idleTimer: TimerID?
    /// Exchanges completed on this connection (0 = fresh).
    var exchanges = 0
    private let settings: UpstreamSettings

    init(id: UInt64, fd: Int32, connected: Bool, settings: UpstreamSettings) {
        self.id = id
        self.fd = fd
        self.settings = settings
        self.stream = PlainStream(fd: fd)
        self.state = .connecting
        if connected { _ = afterTCPConnected() }
    }

    var isReady: Bool { if case .ready = state { true } else { false } }

    func handleEvent(fd: Int32, readiness: Readiness) {
        owner?.upstreamEvent(self, readiness: readiness)
    }

    enum Progress {
        case ready
        case pending
        case failed(String)
    }

    /// Drives the TCP connect and TLS handshake forward; call on every event until `.ready`.
    func continueConnecting() -> Progress {
        switch state {
        case .ready: return .ready
        case .closed: return .failed("closed")
        case .connecting:
            let err = Socket.pendingError(fd)
            if err != 0 && err != EINPROGRESS && err != EALREADY {
                return .failed(IOError(call: "connect(\(settings.description))", errno: err).description)
            }
            guard Socket.isConnected(fd) else { return .pending }
            return afterTCPConnected()
        case .tlsHandshake(let tls):
            return handshake(tls)
        }
    }

    private func afterTCPConnected() -> Progress {
        Socket.setNoDelay(fd)
        guard let context = settings.tls else {
            state = .ready
            return .ready
        }
        do {
            let tls = try TLSConnection(client: context, fd: fd, serverName: settings.serverName)
            state = .tlsHandshake(tls)
            stream = TLSStream(fd: fd, tls: tls)
            return handshake(tls)
        } catch {
            return .failed("\(error)")
        }
    }

    private func handshake(_ tls: TLSConnection) -> Progress {
        switch tls.handshake() {
        case .complete:
            state = .ready
            return .ready
        case .wantRead, .wantWrite: return .pending
        case .failed(let error): return .failed("tls handshake with \(settings.description): \(error)")
        }
    }

    func close(loop: EventLoop) {
        if case .closed = state { return }
        state = .closed
        loop.unregister(fd: fd)
        closeFileDescriptor(fd)
    }
}

import Glibc
