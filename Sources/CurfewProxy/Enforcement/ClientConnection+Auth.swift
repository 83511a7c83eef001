import CurfewHTTP
import CurfewLog
import CurfewNet
import CurfewPolicy
import CurfewTLS

extension ClientConnection {
    /// Checks the request's credential before it may reach SG. `proceed` runs (now, or after a session check
    /// with SG's admin API) with the identity; otherwise the request is answered 401 (or 503) here.
    /// `enforced`: a websocket upgrade or a streaming `_changes` feed, which gets a deadline — or a heartbeat
    /// (`isHeartbeat`), which needs a proven credential but may clear a missed heartbeat.
    func admit(
        _ head: HTTPHead, target: HTTPTarget, enforced: Bool, isHeartbeat: Bool = false,
        proceed: @escaping (Identity?) -> Void
    ) {
        // A user owing a heartbeat is refused on every credentialed request, REST included: otherwise an app
        // that missed its heartbeat could keep using SG through curfew without proving anything.
        let heartbeatOwedRefuses = !isHeartbeat
        let auth = worker.settings.auth
        let now = WallClock.milliseconds()
        let db = SGPath.database(ofPath: target.path)
        // A resumed TLS session skips certificate verification and restores the client certificate from its
        // ticket, so a lapsed certificate comes back that way (and OpenSSL's own check counts whole seconds).
        // From its notAfter on curfew refuses it here, as the deadline would cut it.
        if let notAfter = (down as? TLSStream)?.tls.peerCertificate?.notAfter, now >= notAfter * 1000 {
            return reject(CutReason.certificateExpired.rawValue, bearer: false)
        }
        switch auth.examine(head.fields, now: now) {
        case .rejected(let reason, let bearer):
            reject(reason, bearer: bearer)
        case .anonymous:
            if let certificate = clientCertificateIdentity() {
                return admitIdentified(certificate, db: db, refuseOwedHeartbeat: heartbeatOwedRefuses, now: now, proceed: proceed)
            }
            if enforced && !auth.anonymousAllowed { return reject("no_credential", bearer: false) }
            proceed(nil)
        case .identified(let identity):
            admitIdentified(identity, db: db, refuseOwedHeartbeat: heartbeatOwedRefuses, now: now, proceed: proceed)
        case .session(let id):
            admitSession(id, db: db, enforced: enforced, heartbeatOwedRefuses: heartbeatOwedRefuses, now: now, proceed: proceed)
        }
    }

    private func admitIdentified(
        _ identity: Identity, db: String?, refuseOwedHeartbeat: Bool, now: Int64, proceed: (Identity?) -> Void
    ) {
        if let refusal = refusal(for: identity, db: db, firstSeen: nil, now: now) {
            return reject(refusal.rawValue, bearer: identity.kind == .jwt)
        }
        if refuseOwedHeartbeat, let user = identity.userKey, worker.settings.auth.heartbeatTimeout != nil,
            worker.shared.store.heartbeatMissedSince(user: user) != nil
        {
            return reject("heartbeat_missed", bearer: identity.kind == .jwt)
        }
        proceed(identity)
    }

    /// An SG session: plain REST goes on to SG (which checks its own sessions) unless curfew knows the
    /// session is dead or revoked; a websocket or feed needs SG's word first, unless a recent check vouches.
    private func admitSession(
        _ id: String, db: String?, enforced: Bool, heartbeatOwedRefuses: Bool, now: Int64,
        proceed: @escaping (Identity?) -> Void
    ) {
        let auth = worker.settings.auth
        let shared = worker.shared
        let record = shared.sessions.withLock { $0.lookup(id, now: now) }
        if record?.state == .deleted { return reject("session_deleted", bearer: false) }
        func identity(user: String?, expiresAt: Int64?) -> Identity {
            let fingerprint = Fingerprint.session(id)
            let credential = AuthenticatedCredential(
                kind: .session, user: user, credentialID: fingerprint, expiresAt: expiresAt, issuedAt: nil)
            return Identity(credential: credential, sessionID: id, sessionFingerprint: fingerprint)
        }
        func finish(_ identity: Identity, firstSeen: Int64?) {
            if let refusal = refusal(for: identity, db: db, firstSeen: firstSeen, now: WallClock.milliseconds()) {
                return reject(refusal.rawValue, bearer: false)
            }
            if heartbeatOwedRefuses, let user = identity.userKey, auth.heartbeatTimeout != nil,
                shared.store.heartbeatMissedSince(user: user) != nil
            {
                return reject("heartbeat_missed", bearer: false)
            }
            proceed(identity)
        }
        if !enforced {
            return finish(identity(user: record?.user, expiresAt: record?.expiresAt), firstSeen: record?.firstSeen)
        }
        // Only SG's answer vouches: `lastChecked` is also set when a recheck is merely reserved, and that
        // check may be in flight or may have failed (with `on_check_failure: cut` this must be a 503, not a pass).
        if let record, record.state == .valid, let confirmed = record.lastConfirmed,
            now - confirmed < auth.sessionRecheckInterval, let user = record.user
        {
            return finish(identity(user: user, expiresAt: record.expiresAt), firstSeen: record.firstSeen)
        }
        guard let admin = auth.sgAdmin, let db else {
            // Without SG's admin API curfew cannot tell whose session this is; SG still checks it at the upgrade.
            return finish(identity(user: record?.user, expiresAt: record?.expiresAt), firstSeen: record?.firstSeen)
        }
        phase = .answering
        let connectionID = self.id
        SGAdminCall.get(sessionPath(db: db, id: id), settings: admin, worker: worker) { [worker] outcome in
            let now = WallClock.milliseconds()
            guard let connection = worker.connections[connectionID], !connection.isClosed else { return }
            switch outcome {
            case .response(200, let body):
                guard let info = SGSessionInfo(responseBody: body), let user = info.user, info.isValid else {
                    shared.sessions.withLock { $0.markChecked(id: id, at: now, valid: false) }
                    return connection.reject("session_invalid", bearer: false)
                }
                let record = shared.sessions.withLock { table -> SessionTable.Record? in
                    table.upsert(id: id, db: db, user: user, state: .valid, now: now)
                    table.markChecked(id: id, at: now, valid: true)
                    return table.peek(id)
                }
                // SG answered: failures of an earlier outage no longer count toward `on_check_failure: cut`.
                shared.sessionCheckFailures.withLock { $0[Fingerprint.session(id)] = nil }
                connection.phase = .readingHead
                finish(identity(user: user, expiresAt: record?.expiresAt), firstSeen: record?.firstSeen)
            case .response(404, _):
                // Only a 404 is SG's word about the session. A 401/403 is about curfew's own admin credentials
                // (as the recheck treats it): refusing the user with a 401 for that would stop Couchbase Lite for
                // good over an operator's mistake, and marking the session deleted would be false.
                shared.sessions.withLock { $0.markChecked(id: id, at: now, valid: false) }
                connection.reject("session_invalid", bearer: false)
            case .response(let status, _):
                connection.sessionCheckUnavailable("admin API answered \(status)", fallback: identity(user: nil, expiresAt: nil), proceed: proceed)
            case .failed(let error):
                connection.sessionCheckUnavailable(error, fallback: identity(user: nil, expiresAt: nil), proceed: proceed)
            }
        }
    }

    /// SG's admin API could not answer at a handshake. `on_check_failure: keep` lets SG decide (it checks the
    /// session itself at the upgrade); `cut` fails closed with 503, which Couchbase Lite retries (a 401 would
    /// stop it for good over an outage that is not the user's fault).
    private func sessionCheckUnavailable(_ error: String, fallback: Identity, proceed: (Identity?) -> Void) {
        worker.logger.warning("session_check_failed", ["conn": .integer(id), "error": .string(error)])
        if worker.settings.auth.sessionFailClosed {
            worker.shared.metrics.countReject(reason: "session_check_failed")
            respond(status: 503, reason: nil, error: "unavailable", detail: "session_check_failed", close: false)
            return
        }
        phase = .readingHead
        proceed(fallback)
    }

    func sessionPath(db: String, id: String) -> String {
        "/\(percentEncodePathSegment(db))/_session/\(percentEncodePathSegment(id))"
    }

    /// What the store says about this credential: revoked, or issued before a user change SG does not enforce.
    func refusal(for identity: Identity, db: String?, firstSeen: Int64?, now: Int64) -> CutReason? {
        let store = worker.shared.store
        var facts = CredentialFacts(
            user: identity.userKey, kind: identity.kind, jti: identity.jti, sessionID: identity.sessionFingerprint,
            issuedAt: identity.credential.issuedAt, firstSeen: firstSeen, credentialID: identity.credential.credentialID)
        if let reason = store.refusal(for: facts, now: now) { return reason }
        // SG's own user changes (password, disable, delete) are keyed by (db, user).
        if let db, let name = identity.user {
            facts.user = UserKey(db: db, name: name)
            if let reason = store.refusal(for: facts, now: now) { return reason }
        }
        return nil
    }

    /// The client certificate as the credential when no header credential came (mTLS).
    func clientCertificateIdentity() -> Identity? {
        guard let certificate = (down as? TLSStream)?.tls.peerCertificate else { return nil }
        let credential = AuthenticatedCredential(
            kind: .cert, user: commonName(of: certificate.subject), credentialID: Fingerprint.of("cert", certificate.subject),
            expiresAt: nil, issuedAt: nil)
        return Identity(credential: credential)
    }

    /// Answers 401 with a JSON body and `WWW-Authenticate`; the request never reaches SG.
    func reject(_ reason: String, bearer: Bool) {
        worker.shared.metrics.countReject(reason: reason)
        worker.logger.info(
            "reject", ["conn": .integer(id), "remote": .string(remoteLabel), "path": .string(SGLogPath.redacted(request?.path ?? "-", fingerprint: Fingerprint.session)),
                       "reason": .string(reason)])
        let challenge = bearer ? "Bearer realm=\"curfew\", error=\"invalid_token\"" : "Basic realm=\"curfew\""
        if case .answering = phase { phase = .readingHead }
        respond(status: 401, reason: nil, error: "unauthorized", detail: reason, close: false,
                extraHeaders: [("WWW-Authenticate", challenge)])
    }
}

/// `CN=alice,O=x` -> `alice`; the whole subject when there is no CN.
func commonName(of subject: String) -> String {
    for part in subject.split(separator: ",") {
        let trimmed = part.drop(while: { $0 == " " })
        if trimmed.hasPrefix("CN=") { return String(trimmed.dropFirst(3)) }
    }
    return subject
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
func percentEncodePathSegment(_ segment: String) -> String {
    var out = ""
    for byte in segment.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".unicodeScalars)
            out.unicodeScalars.append("%")
            out.unicodeScalars.append(hex[Int(byte >> 4)])
            out.unicodeScalars.append(hex[Int(byte & 0xF)])
        }
    }
    return out
}
