import CurfewLog
import CurfewNet
import CurfewPolicy
import CurfewTimer
import CurfewTLS

extension ClientConnection {
    /// Arms the deadline of a websocket (or streaming feed) that has just opened.
    func beginEnforcement(_ identity: Identity?, db: String?) {
        let auth = worker.settings.auth
        let now = WallClock.milliseconds()
        var identity =
            identity
            ?? Identity(credential: AuthenticatedCredential(kind: .none, user: nil, credentialID: nil, expiresAt: nil, issuedAt: nil))
        if identity.kind == .session, let sessionID = identity.sessionID,
            let learned = worker.shared.sessions.withLock({ $0.peek(sessionID)?.expiresAt })
        {
            // SG may have slid the expiry in the 101's Set-Cookie, after this connection was admitted.
            identity.credential.expiresAt = learned
        }
        switch identity.kind {
        case .basic: identity.credential.expiresAt = now + auth.basicMaxAge
        case .session where identity.credential.expiresAt == nil: identity.credential.expiresAt = now + auth.sessionMaxAge
        default: break
        }
        let notAfter = (down as? TLSStream)?.tls.peerCertificate.map { $0.notAfter * 1000 }
        var heartbeatDeadline: Int64? = nil
        if let timeout = auth.heartbeatTimeout, let user = identity.userKey {
            // A new connection counts as a heartbeat for its user.
            worker.shared.store.recordHeartbeat(user: user, at: now)
            heartbeatDeadline = now + timeout
        }
        let enforcement = ConnectionEnforcement(
            opened: now, credential: identity.credential, certificateNotAfter: notAfter, maxAge: auth.maxConnectionAge,
            heartbeatDeadline: heartbeatDeadline)
        guardState = ConnectionGuard(identity: identity, enforcement: enforcement, db: db)
        if let reason = refusalSinceAdmission(identity, db: db, now: now) {
            return cut(reason: reason.rawValue, deadlineMilliseconds: now)
        }
        carryOut(enforcement.initialAction, now: now)
        if identity.sessionID != nil, auth.sgAdmin != nil { scheduleSessionRecheck() }
    }

    /// The credential was checked at admission, but SG took a while to answer: a revocation (or SG deleting the
    /// session) may have landed in between, and its broadcast passed this connection by because it was not yet
    /// under enforcement. Asked again at the open, so that no replication starts on a revoked credential.
    private func refusalSinceAdmission(_ identity: Identity, db: String?, now: Int64) -> CutReason? {
        var firstSeen: Int64? = nil
        if let sessionID = identity.sessionID {
            let record = worker.shared.sessions.withLock { $0.peek(sessionID) }
            if record?.state == .deleted { return .sessionDeleted }
            firstSeen = record?.firstSeen
        }
        return refusal(for: identity, db: db, firstSeen: firstSeen, now: now)
    }

    /// Performs what the enforcement state machine decided.
    func carryOut(_ action: EnforcementAction, now: Int64) {
        switch action {
        case .none:
            break
        case .reschedule(let at):
            let monotonic = TimerDriver.monotonic(
                unixMilliseconds: at, unixNowNanoseconds: WallClock.nanoseconds(), monotonicNow: MonotonicClock.nanoseconds())
            if let timer = guardState?.timer, worker.timers.wheel.reschedule(timer, at: monotonic) { return }
            guardState?.timer = worker.schedule(.enforcement, id: id, at: monotonic)
        case .cut(let reason):
            let deadline = guardState?.enforcement.deadline ?? now
            if reason == .heartbeatMissed, let user = guardState?.identity.userKey {
                worker.shared.store.markHeartbeatMissed(user: user, at: now)
            }
            cut(reason: reason.rawValue, deadlineMilliseconds: min(deadline, now))
        }
    }

    func enforcementTimerFired() {
        // Mutated in place (`guardState!.…`), not copied out and back: a copy of the guard retains and releases every
        // string of its identity, on the path that runs once per cut.
        guard guardState != nil else { return }
        guardState!.timer = nil
        let now = WallClock.milliseconds()
        // Heartbeats are recorded in the store, whichever worker (or, with a shared store, whichever curfew
        // instance) received them: consult it before cutting for a missed heartbeat.
        if guardState!.enforcement.cause == .heartbeat, let user = guardState!.identity.userKey,
            let timeout = worker.settings.auth.heartbeatTimeout, let last = worker.shared.store.lastHeartbeat(user: user),
            last + timeout > (guardState!.enforcement.heartbeatDeadline ?? 0)
        {
            _ = guardState!.enforcement.heartbeatDeadlineMoved(to: last + timeout)
        }
        let action = guardState!.enforcement.timerFired(now: now)
        carryOut(action, now: now)
    }

    /// A heartbeat for this connection's user arrived (possibly with a newer JWT). Returns the deadline after it.
    func heartbeatArrived(deadline: Int64?, refreshedExpiry: Int64?, now: Int64) -> Int64? {
        guard var state = guardState, !state.enforcement.isCut else { return nil }
        var actions: [EnforcementAction] = []
        if let refreshedExpiry, state.identity.kind == .jwt, refreshedExpiry > (state.enforcement.credential.expiresAt ?? 0) {
            actions.append(state.enforcement.credentialRefreshed(expiresAt: refreshedExpiry))
        }
        if let deadline { actions.append(state.enforcement.heartbeatDeadlineMoved(to: deadline)) }
        guardState = state
        for action in actions { carryOut(action, now: now) }
        return guardState?.enforcement.deadline
    }

    // MARK: session rechecks

    func scheduleSessionRecheck() {
        let interval = worker.settings.auth.sessionRecheckInterval
        let jittered = SessionRecheckSchedule(interval: interval).nextCheck(after: 0, jitter: Double.random(in: -1...1))
        guardState?.recheckTimer = worker.schedule(.sessionRecheck, id: id, at: worker.now + jittered * 1_000_000)
    }

    /// Every `recheck_interval` (±10%) the session is asked about again — once per session across all its
    /// connections (the session table reserves the check) — so a session deleted directly at SG is caught.
    func sessionRecheckFired() {
        guard let state = guardState, let sessionID = state.identity.sessionID,
            let fingerprint = state.identity.sessionFingerprint, let db = state.db, let admin = worker.settings.auth.sgAdmin
        else { return }
        guardState?.recheckTimer = nil
        scheduleSessionRecheck()
        let shared = worker.shared
        let now = WallClock.milliseconds()
        let window = SessionRecheckSchedule(interval: worker.settings.auth.sessionRecheckInterval).sharedCheckWindow
        guard shared.sessions.withLock({ $0.shouldCheck(id: sessionID, now: now, interval: window) }) else { return }
        let failClosed = worker.settings.auth.sessionFailClosed
        let logger = worker.logger
        SGAdminCall.get(sessionPath(db: db, id: sessionID), settings: admin, worker: worker) { [worker] outcome in
            let now = WallClock.milliseconds()
            func failure(_ error: String) -> CutReason? {
                let failures = shared.sessionCheckFailures.withLock { table -> Int in
                    table[fingerprint, default: 0] += 1
                    return table[fingerprint]!
                }
                logger.warning(
                    "session_check_failed",
                    ["session": .string(fingerprint), "failures": .integer(failures), "error": .string(error),
                     "policy": .string(failClosed ? "cut" : "keep")])
                guard failClosed, failures >= 3 else { return nil }
                // The count ends with the cut: a reconnect after the outage starts from zero (the table would
                // otherwise keep it, and one later failure would cut at once).
                shared.sessionCheckFailures.withLock { $0[fingerprint] = nil }
                return .sessionCheckFailed
            }
            var cut: CutReason? = nil
            switch outcome {
            case .response(200, let body) where SGSessionInfo(responseBody: body)?.isValid == true:
                shared.sessions.withLock { $0.markChecked(id: sessionID, at: now, valid: true) }
                shared.sessionCheckFailures.withLock { $0[fingerprint] = nil }
            case .response(let status, _) where status == 200 || status == 404:
                shared.sessions.withLock { $0.markChecked(id: sessionID, at: now, valid: false) }
                shared.sessionCheckFailures.withLock { $0[fingerprint] = nil }
                cut = .sessionDeleted
            case .response(let status, _):
                cut = failure("admin API answered \(status)")
            case .failed(let error):
                cut = failure(error)
            }
            if let cut {
                shared.broadcast(
                    from: worker.mailbox,
                    { worker in worker.cut(where: { $0.guardState?.identity.sessionFingerprint == fingerprint }, reason: cut.rawValue) },
                    completion: { _, _ in })
            }
        }
    }
}
