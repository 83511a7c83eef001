import CurfewNet

/// Idle keep-alive connections to SG, per worker (no locking). Most recently used first, so a burst reuses
/// warm connections and the cold ones age out through `upstream.idle_timeout`.
final class UpstreamPool: UpstreamOwner {
    /// `unowned(unsafe)`: the worker owns its pools and outlives them (see `ClientConnection.worker`).
    private unowned(unsafe) let worker: Worker
    private var idle: [UpstreamConnection] = []
    /// SG's public API (`upstream.url`) or, for the `gateway_admin` pass-through, its admin API (`admin_url`).
    let forAdmin: Bool

    init(worker: Worker, forAdmin: Bool) {
        self.worker = worker
        self.forAdmin = forAdmin
    }

    /// Read on every use: a reload may have changed them.
    var settings: UpstreamSettings {
        forAdmin ? (worker.settings.gatewayAdminUpstream ?? worker.settings.upstream) : worker.settings.upstream
    }

    var idleCount: Int { idle.count }

    /// A pooled connection, or a new one whose connect is under way (check `isReady`).
    func acquire(owner: UpstreamOwner) throws(IOError) -> UpstreamConnection {
        while let connection = idle.popLast() {
            worker.cancel(&connection.idleTimer)
            guard connection.isReady else {
                connection.close(loop: worker.loop)
                continue
            }
            connection.owner = owner
            return connection
        }
        let settings = self.settings
        let (fd, inProgress) = try Socket.connect(to: settings.address)
        let connection = UpstreamConnection(
            id: worker.shared.makeConnectionID(), fd: fd, connected: !inProgress, settings: settings)
        connection.owner = owner
        do {
            try worker.loop.register(fd: fd, handler: connection)
        } catch {
            closeFileDescriptor(fd)
            throw error
        }
        return connection
    }

    /// Takes back a connection whose last exchange ended cleanly, or closes it when the pool is full.
    func release(_ connection: UpstreamConnection) {
        connection.exchanges += 1
        guard connection.isReady, !worker.shuttingDown, idle.count < settings.maxIdleConnections else {
            connection.close(loop: worker.loop)
            return
        }
        connection.owner = self
        connection.idleTimer = worker.schedule(
            .upstreamIdle, id: connection.id, at: worker.now + settings.idleTimeout)
        idle.append(connection)
    }

    /// An idle connection became readable: SG closed it (or sent something unasked). Either way it is done.
    func upstreamEvent(_ upstream: UpstreamConnection, readiness: Readiness) {
        guard !readiness.isDisjoint(with: [.readable, .readHangup, .hangup, .error]) else { return }
        guard let index = idle.firstIndex(where: { $0 === upstream }) else { return }
        idle.remove(at: index)
        worker.cancel(&upstream.idleTimer)
        upstream.close(loop: worker.loop)
    }

    func idleTimerFired(id: UInt64) {
        guard let index = idle.firstIndex(where: { $0.id == id }) else { return }
        let connection = idle.remove(at: index)
        connection.idleTimer = nil
        connection.close(loop: worker.loop)
    }

    func closeAll() {
        for connection in idle {
            worker.cancel(&connection.idleTimer)
            connection.close(loop: worker.loop)
        }
        idle.removeAll()
    }
}
