import CurfewHTTP
import CurfewLog
import CurfewNet
import CurfewPolicy
import FoundationEssentials

/// A `gateway_admin` exchange that curfew acts on once SG has answered 2xx: the classified call and the
/// (bounded) bodies it needs — the session-create answer, a user update's password/disabled fields.
struct AdminExchange {
    let action: SGAdminAction
    var requestBody: [UInt8] = []
    var responseBody: [UInt8] = []
    var status = 0

    /// SG admin bodies that matter here are small; anything larger is not captured (the call still passes).
    static let captureLimit = 64 * 1024

    var wantsRequestBody: Bool {
        switch action {
        case .createSession, .updateUser: true
        default: false
        }
    }

    var wantsResponseBody: Bool { if case .createSession = action { true } else { false } }

    mutating func captureRequest(_ bytes: UnsafeRawBufferPointer) {
        if wantsRequestBody, requestBody.count + bytes.count <= Self.captureLimit { requestBody.append(contentsOf: bytes) }
    }

    mutating func captureResponse(_ bytes: UnsafeRawBufferPointer) {
        if wantsResponseBody, responseBody.count + bytes.count <= Self.captureLimit { responseBody.append(contentsOf: bytes) }
    }
}

extension ClientConnection {
    /// SG slides a session's expiry and says so with `Set-Cookie` on any response (public or admin side,
    /// a 101 included): the session table learns it, and live connections on that session move their deadline.
    func observeSetCookies(_ head: HTTPHead) {
        let cookieName = worker.settings.auth.extractor.sessionCookieName
        let values = head.values(of: "Set-Cookie")
        guard !values.isEmpty else { return }
        let now = WallClock.milliseconds()
        let db = request.flatMap { SGPath.database(ofPath: $0.path) }
        for value in values {
            guard let cookie = SetCookie.parse(value, now: now), cookie.name == cookieName, !cookie.value.isEmpty,
                let expiresAt = cookie.expiresAt
            else { continue }
            worker.shared.sessions.withLock { $0.upsert(id: cookie.value, db: db, expiresAt: expiresAt, now: now) }
            let fingerprint = Fingerprint.session(cookie.value)
            worker.logger.debug(
                "session_expiry", ["session": .string(fingerprint), "expires": .string(RFC3339.format(milliseconds: expiresAt))])
            worker.shared.broadcast(
                from: worker.mailbox,
                { worker in worker.sessionExpiryLearned(fingerprint: fingerprint, expiresAt: expiresAt) },
                completion: { _, _ in })
        }
    }

    /// SG answered a classified admin call with 2xx: bring curfew's view (and live connections) in line.
    func applyAdminAction(_ exchange: AdminExchange) {
        let shared = worker.shared
        let store = shared.store
        let now = WallClock.milliseconds()
        let until = now + worker.settings.auth.revocationRetention
        switch exchange.action {
        case .createSession(let db):
            guard let created = SGCreatedSession(responseBody: exchange.responseBody) else { return }
            let user = SessionCreateRequest(json: exchange.requestBody)?.name
            let firstSeen = createdSessionFirstSeen(id: created.id, db: db, user: user, now: now)
            shared.sessions.withLock {
                // `now:` is only the first-seen time of a new record.
                $0.upsert(id: created.id, db: db, user: user, expiresAt: created.expiresAt, state: .valid, now: firstSeen)
            }
            worker.logger.info(
                "sg_session_created",
                ["db": .string(db), "user": .optional(user), "session": .string(Fingerprint.session(created.id)),
                 "expires": .string(RFC3339.format(milliseconds: created.expiresAt))])
        case .deleteSession(let db, let id), .deleteUserSession(let db, _, let id):
            let fingerprint = Fingerprint.session(id)
            shared.sessions.withLock { $0.upsert(id: id, db: db, state: .deleted, now: now) }
            store.revoke(.session(fingerprint), at: now, until: until)
            cutEverywhere(action: "delete_session", db: db, user: nil, reason: .sessionDeleted) {
                $0.identity.sessionFingerprint == fingerprint
            }
        case .deleteUserSessions(let db, let user):
            // SG rotates the user's session UUID: every session of this user in this database is dead.
            let ids = shared.sessions.withLock { table -> [String] in
                let ids = table.sessions(ofUser: user, db: db)
                for id in ids { table.upsert(id: id, state: .deleted, now: now) }
                return ids
            }
            for id in ids { store.revoke(.session(Fingerprint.session(id)), at: now, until: until) }
            cutEverywhere(action: "delete_user_sessions", db: db, user: user, reason: .sessionDeleted) {
                $0.db == db && $0.identity.user == user && $0.identity.kind == .session
            }
        case .deleteUser(let db, let user):
            store.revoke(.user(UserKey(db: db, name: user)), at: now, until: until)
            cutEverywhere(action: "delete_user", db: db, user: user, reason: .userDeleted) {
                $0.db == db && $0.identity.user == user
            }
        case .updateUser(let db, let user):
            guard let update = SGUserUpdate(requestBody: exchange.requestBody), update.disables || update.changesPassword
            else { return }
            let change: UserChangeKind = update.disables ? .disabled : .passwordChanged
            store.recordUserChange(user: UserKey(db: db, name: user), kind: change, at: now)
            cutEverywhere(action: change == .disabled ? "disable_user" : "change_password", db: db, user: user,
                          reason: change.cutReason) {
                $0.db == db && $0.identity.user == user && ($0.identity.kind == .session || $0.identity.kind == .basic)
            }
        }
    }

    /// When a session created through the pass-through counts as first seen. It is newer than every user change
    /// or revocation curfew applied before it saw SG's answer, but those are recorded in milliseconds and compared
    /// with `firstSeen <= changedAt`: a login in the same millisecond as an earlier password change (a password
    /// reset that logs the user in at once) would be refused at its handshake. Only in that case the first-seen time
    /// moves one millisecond on; a change applied after this point still compares as later (it is recorded at
    /// `now` or after), so it still refuses the session.
    private func createdSessionFirstSeen(id: String, db: String, user: String?, now: Int64) -> Int64 {
        guard let user else { return now }
        let fingerprint = Fingerprint.session(id)
        let identity = Identity(
            credential: AuthenticatedCredential(
                kind: .session, user: user, credentialID: fingerprint, expiresAt: nil, issuedAt: nil),
            sessionID: id, sessionFingerprint: fingerprint)
        guard refusal(for: identity, db: db, firstSeen: now, now: now) != nil,
            refusal(for: identity, db: db, firstSeen: now + 1, now: now) == nil
        else { return now }
        return now + 1
    }

    /// Cuts the matching connections on every worker and logs one `sg_admin` line with the count.
    private func cutEverywhere(
        action: String, db: String, user: String?, reason: CutReason,
        where matches: @escaping @Sendable (ConnectionGuard) -> Bool
    ) {
        let logger = worker.logger
        worker.shared.broadcast(
            from: worker.mailbox,
            { worker in
                worker.cut(where: { connection in connection.guardState.map(matches) ?? false }, reason: reason.rawValue)
            },
            completion: { _, counts in
                logger.info(
                    "sg_admin",
                    ["action": .string(action), "db": .string(db), "user": .optional(user),
                     "cut": .integer(counts.reduce(0, +))])
            })
    }
}

extension Worker {
    func sessionExpiryLearned(fingerprint: String, expiresAt: Int64) {
        let now = WallClock.milliseconds()
        for connection in Array(connections.values) {
            guard var state = connection.guardState, state.identity.sessionFingerprint == fingerprint else { continue }
            let action = state.enforcement.sessionExpiryLearned(expiresAt)
            connection.guardState = state
            connection.carryOut(action, now: now)
        }
    }
}

/// `POST /{db}/_session` request body: `{"name": …, "ttl": …}`.
private struct SessionCreateRequest: Decodable {
    let name: String?

    init?(json: [UInt8]) {
        guard let decoded = try? JSONDecoder().decode(SessionCreateRequest.self, from: Data(json)) else { return nil }
        self = decoded
    }
}
