import CurfewLog
import CurfewNet
import CurfewTimer

/// One event-loop thread: its own epoll, its own listeners (SO_REUSEPORT), its own timer wheel, its own
/// connections. Nothing in here is shared; other threads reach a worker only through its mailbox.
final class Worker: EventHandler {
    let index: Int
    let loop: EventLoop
    let mailbox: Mailbox<Worker>
    let shared: SharedState
    private(set) var settings: RuntimeSettings
    /// This thread's batching logger: lines are written together when the loop is about to wait (`run()`).
    let logger: Logger

    /// The timer wheel, the loop's clock reading and its wait (shared with the engine benchmark).
    var timers: TimerDriver
    /// Monotonic nanoseconds, read once per loop round (and at every event).
    var now: Int64 { timers.now }

    var connections: [UInt64: ClientConnection] = [:]
    var adminCalls: [UInt64: SGAdminCall] = [:]
    var upstreamPool: UpstreamPool!
    /// Connections to SG's admin API for the `gateway_admin` pass-through.
    var adminPool: UpstreamPool!
    private var listeners: [(fd: Int32, settings: ListenerSettings)] = []

    /// 64 KiB shared by every connection of this worker: sockets are read here and written straight
    /// through, so an idle connection owns no read buffer at all.
    let scratch: UnsafeMutableRawBufferPointer

    private(set) var shuttingDown = false
    private var shutdownDeadline: Int64 = .max

    init(index: Int, mailbox: Mailbox<Worker>, shared: SharedState, settings: RuntimeSettings,
         listenerFDs: [(Int32, ListenerSettings)]) throws(IOError) {
        self.index = index
        self.mailbox = mailbox
        self.shared = shared
        self.settings = settings
        self.logger = shared.logger.batching()
        self.loop = try EventLoop()
        self.timers = TimerDriver(tick: settings.tick, clock: MonotonicClock.nanoseconds)
        self.scratch = .allocate(byteCount: 64 * 1024, alignment: 16)
        self.upstreamPool = UpstreamPool(worker: self, forAdmin: false)
        self.adminPool = UpstreamPool(worker: self, forAdmin: true)
        try loop.registerReadOnly(fd: mailbox.fd, handler: self)
        for (fd, listener) in listenerFDs {
            try loop.registerReadOnly(fd: fd, handler: self)
            listeners.append((fd, listener))
        }
    }

    deinit { scratch.deallocate() }

    /// Runs until shutdown has finished.
    func run() {
        while true {
            timers.readClock()
            if shuttingDown && (connections.isEmpty || now >= shutdownDeadline) { break }
            logger.flush()  // never sleep on held log lines
            loop.runOnce(timeoutMilliseconds: timers.waitMilliseconds(notAfter: shuttingDown ? shutdownDeadline : .max))
            timers.readClock()
            fireTimers()
        }
        for connection in Array(connections.values) { connection.abort(reason: "shutdown") }
        upstreamPool.closeAll()
        adminPool.closeAll()
        logger.flush()
    }

    /// While a batch of due timers is carried out, the wall-clock ms at which it began. The loop handles no socket
    /// until the batch is done, so every connection the batch cuts stopped forwarding at that instant, however long
    /// the close frames of a large batch then take to write: `cut` lines report both.
    private(set) var batchStartedAt: Int64?

    private func fireTimers() {
        let due = timers.takeDue()
        guard !due.isEmpty else { return }
        batchStartedAt = WallClock.milliseconds()
        defer { batchStartedAt = nil }
        for timer in due {
            let (id, kind) = TimerKind.split(timer.token)
            guard let kind else { continue }
            if kind == .upstreamIdle {
                upstreamPool.idleTimerFired(id: id)
                adminPool.idleTimerFired(id: id)
            } else if kind == .adminCallTimeout {
                adminCalls[id]?.timedOut()
            } else if let connection = connections[id] {
                connection.timerFired(kind, deadline: timer.deadline)
            }
        }
    }

    // MARK: events

    func handleEvent(fd: Int32, readiness: Readiness) {
        timers.readClock()
        if fd == mailbox.fd {
            for job in mailbox.drain() { job(self) }
            return
        }
        if let listener = listeners.first(where: { $0.fd == fd }) {
            acceptAll(listener.fd, listener.settings)
        }
    }

    private func acceptAll(_ fd: Int32, _ listener: ListenerSettings) {
        // Bounded per wake-up so a connection storm cannot starve established connections.
        for _ in 0..<64 {
            let accepted: SyscallResult<(fd: Int32, remote: SocketAddress)>
            do { accepted = try Socket.accept(fd) } catch {
                // EMFILE/ENFILE/ECONNABORTED: log and try again on the next edge.
                logger.warning("accept_error", ["error": .string(error.description)])
                loop.runSoon(self, fd: fd)
                return
            }
            guard case .done(let (clientFD, remote)) = accepted else { return }
            Socket.setNoDelay(clientFD)
            let id = shared.makeConnectionID()
            let connection = ClientConnection(worker: self, id: id, fd: clientFD, remote: remote, listener: listener)
            do {
                try loop.register(fd: clientFD, handler: connection)
            } catch {
                closeFileDescriptor(clientFD)
                continue
            }
            connections[id] = connection
            shared.metrics.connectionsOpen.add(1, ordering: .relaxed)
            connection.start()
        }
        loop.runSoon(self, fd: fd)
    }

    func connectionClosed(_ connection: ClientConnection) {
        if connections.removeValue(forKey: connection.id) != nil {
            shared.metrics.connectionsOpen.subtract(1, ordering: .relaxed)
        }
    }

    // MARK: timers

    func schedule(_ kind: TimerKind, id: UInt64, at deadline: Int64) -> TimerID {
        timers.wheel.schedule(at: deadline, token: TimerKind.token(id: id, kind: kind))
    }

    func cancel(_ timer: inout TimerID?) {
        if let t = timer { timers.wheel.cancel(t) }
        timer = nil
    }

    // MARK: control (called through the mailbox)

    func apply(_ newSettings: RuntimeSettings) {
        // New certificates apply to new connections; bound sockets stay (addresses change only on restart), so
        // each listener keeps its address and takes the TLS context of the listener in the same position.
        for i in listeners.indices {
            let current = listeners[i].settings
            guard current.position < newSettings.listeners.count,
                newSettings.listeners[current.position].role == current.role
            else { continue }
            listeners[i].settings = ListenerSettings(
                role: current.role, address: current.address, tls: newSettings.listeners[current.position].tls,
                position: current.position)
        }
        settings = newSettings
    }

    /// Stops accepting, cuts websockets (they reconnect elsewhere), lets REST exchanges finish.
    func beginShutdown(grace: Int64) {
        guard !shuttingDown else { return }
        shuttingDown = true
        shutdownDeadline = now + grace
        for listener in listeners {
            loop.unregister(fd: listener.fd)
            closeFileDescriptor(listener.fd)
        }
        listeners.removeAll()
        for connection in Array(connections.values) { connection.shutdownRequested() }
    }

    /// Cuts matching websockets on this worker; returns how many.
    func cut(where matches: (ClientConnection) -> Bool, reason: String) -> Int {
        var count = 0
        for connection in Array(connections.values) where connection.isEnforced && matches(connection) {
            connection.cut(reason: reason, deadlineMilliseconds: WallClock.milliseconds())
            count += 1
        }
        return count
    }

    /// Moves the heartbeat deadline (and, with `refresh_credentials`, the JWT expiry) of `user`'s connections
    /// on this worker; returns the earliest deadline among them.
    func heartbeat(user: String, deadline: Int64?, refreshedExpiry: Int64?) -> Int64? {
        let now = WallClock.milliseconds()
        var earliest: Int64? = nil
        for connection in Array(connections.values) where connection.guardState?.identity.user == user {
            if let d = connection.heartbeatArrived(deadline: deadline, refreshedExpiry: refreshedExpiry, now: now) {
                earliest = min(earliest ?? d, d)
            }
        }
        return earliest
    }

    /// The live connections under enforcement, for `GET /connections`.
    func snapshots(user: String?) -> [ConnectionSnapshot] {
        connections.values.compactMap { connection in
            guard connection.isEnforced, let state = connection.guardState else { return nil }
            if let user, state.identity.user != user { return nil }
            return ConnectionSnapshot(connection: connection, state: state)
        }
    }
}
