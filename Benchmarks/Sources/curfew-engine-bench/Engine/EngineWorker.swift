import CurfewNet
import CurfewPolicy
import CurfewTimer

/// A curfew `Worker` reduced to enforcement: one real `EventLoop` (an epoll set with nothing registered, so a round is
/// a pure sleep), the runtime's `TimerDriver`, the connection table, and the runtime's path from an expired timer to a
/// cut.
///
/// Shared with the runtime, not copied: `TimerDriver` (CurfewTimer) — the wheel, the clock reading per round, the wait
/// (`waitMilliseconds`: the next wake-up in ms rounded up, capped by the stop time as `Worker` caps it by its shutdown
/// deadline), the due batch (`takeDue`), and the unix ms -> monotonic mapping of `carryOut` (`monotonic(unixMilliseconds:
/// unixNowNanoseconds:monotonicNow:)`); and `ConnectionEnforcement` (CurfewPolicy), the state machine, mutated in place as
/// `enforcementTimerFired` does. The rest follows `Runtime/Worker.swift` and `Enforcement/ClientConnection+Enforcement
/// .swift`, where it cannot be called from here: the token split and table lookup of `fireTimers`, the wall ms read
/// per timer, reschedule-or-schedule, and `logCut`'s lateness and line.
///
/// Simulated only: no sockets, no TLS, no close frames (neither the 4001 to the client nor the 1001 to SG), no
/// write(2) of the log line, no close-grace timer, no metrics histogram, no store (no heartbeat deadlines are used).
final class EngineWorker {
    /// `TimerKind.enforcement` in CurfewProxy (internal there); tokens are `id << 4 | kind` as in `TimerKind.token`.
    static let enforcementKind: UInt64 = 5
    static let kindBits: UInt64 = 4

    let loop: EventLoop
    var timers: TimerDriver
    /// Monotonic nanoseconds, read once per loop round (and per open, as `handleEvent` does).
    var now: Int64 { timers.now }
    var connections: [UInt64: SimulatedConnection] = [:]
    private(set) var tally: CutTally
    private(set) var log = CutLogLine()
    /// Wall nanoseconds of the first and last cut, for the firing window.
    private(set) var firstCutAt: Int64?
    private(set) var lastCutAt: Int64?
    /// Loop rounds, and timers that fired before their connection's deadline and were re-armed.
    private(set) var wakeups = 0
    private(set) var rearmed = 0
    /// Monotonic time spent inside `takeDue` and `waitMilliseconds` during the loop: the wheel's share of the firing
    /// work (two vDSO clock reads per loop round; re-arms inside the per-cut work are not included).
    private(set) var wheelNanoseconds: Int64 = 0

    init(tick: Int64, expectedConnections: Int) throws(IOError) {
        loop = try EventLoop()
        timers = TimerDriver(tick: tick, clock: MonotonicClock.nanoseconds)
        connections.reserveCapacity(expectedConnections)
        tally = CutTally(capacity: expectedConnections)
    }

    // MARK: the loop (Worker.run)

    /// Runs until every connection is cut or the monotonic time `stopAt` passes (connections left count as missed);
    /// `stopAt` plays the part of `Worker`'s `shutdownDeadline`.
    func run(until stopAt: Int64) {
        while true {
            timers.readClock()
            if tally.count >= connections.count || now >= stopAt { break }
            let before = MonotonicClock.nanoseconds()
            let wait = timers.waitMilliseconds(notAfter: stopAt)
            wheelNanoseconds += MonotonicClock.nanoseconds() - before
            loop.runOnce(timeoutMilliseconds: wait)
            wakeups += 1
            timers.readClock()
            fireTimers()
        }
    }

    private func fireTimers() {
        let due = timers.takeDue()
        wheelNanoseconds += MonotonicClock.nanoseconds() - now
        for timer in due {
            let id = timer.token >> Self.kindBits
            guard timer.token & 0xF == Self.enforcementKind, let connection = connections[id] else { continue }
            enforcementTimerFired(connection)
        }
    }

    // MARK: enforcement (ClientConnection+Enforcement)

    /// `beginEnforcement` for a JWT websocket that has just opened: builds the state machine and arms its timer.
    func open(id: UInt64, credential: AuthenticatedCredential, maxAge: Int64, remoteLabel: String, path: String) {
        timers.readClock()  // `handleEvent` refreshes `now` before any handler runs
        let wall = WallClock.milliseconds()
        let enforcement = ConnectionEnforcement(
            opened: wall, credential: credential, certificateNotAfter: nil, maxAge: maxAge, heartbeatDeadline: nil)
        let connection = SimulatedConnection(
            id: id, remoteLabel: remoteLabel, path: path, openedAt: now, enforcement: enforcement)
        connections[id] = connection
        carryOut(enforcement.initialAction, on: connection, now: wall)
    }

    private func enforcementTimerFired(_ connection: SimulatedConnection) {
        connection.timer = nil
        let now = WallClock.milliseconds()
        // The runtime consults the store here when the cause is a heartbeat; no connection here has one.
        let action = connection.enforcement.timerFired(now: now)
        if case .reschedule = action { rearmed += 1 }
        carryOut(action, on: connection, now: now)
    }

    private func carryOut(_ action: EnforcementAction, on connection: SimulatedConnection, now: Int64) {
        switch action {
        case .none:
            break
        case .reschedule(let at):
            let monotonic = TimerDriver.monotonic(
                unixMilliseconds: at, unixNowNanoseconds: WallClock.nanoseconds(), monotonicNow: MonotonicClock.nanoseconds())
            if let timer = connection.timer, timers.wheel.reschedule(timer, at: monotonic) { return }
            connection.timer = timers.wheel.schedule(
                at: monotonic, token: connection.id << Self.kindBits | Self.enforcementKind)
        case .cut(let reason):
            let deadline = connection.enforcement.deadline ?? now
            cut(connection, reason: reason, deadlineMilliseconds: deadline, loggedDeadline: min(deadline, now))
        }
    }

    /// `cut` + `logCut`, minus the frames and sockets: lateness read from the wall clock at log time, a record kept,
    /// the log line formatted.
    private func cut(_ connection: SimulatedConnection, reason: CutReason, deadlineMilliseconds: Int64,
                     loggedDeadline: Int64) {
        let wall = Clocks.wallNanoseconds()
        let nowWall = wall / 1_000_000
        tally.record(
            CutRecord(connection: connection.id, deadlineMilliseconds: deadlineMilliseconds,
                      latenessNanoseconds: wall - deadlineMilliseconds * 1_000_000, reason: reason),
            alreadyCut: connection.isCut)
        connection.isCut = true
        if firstCutAt == nil { firstCutAt = wall }
        lastCutAt = wall
        let credential = connection.enforcement.credential
        log.format(CutLogLine.Fields(
            nowMilliseconds: nowWall, connection: connection.id, user: credential.user,
            credentialKind: credential.kind.rawValue, credentialID: credential.credentialID, reason: reason.rawValue,
            deadlineMilliseconds: loggedDeadline, latenessMilliseconds: max(0, nowWall - loggedDeadline),
            how: "close_frame", bytesUp: 0, bytesDown: 0, ageSeconds: (self.now - connection.openedAt) / 1_000_000_000,
            remote: connection.remoteLabel, path: connection.path))
    }
}
