import CurfewHTTP
import CurfewLog
import CurfewNet
import CurfewPolicy
import CurfewTLS
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// curfew's admin API (the `admin` listener, plain HTTP, worker 0). Every endpoint but `GET /healthz` needs
/// `Authorization: Bearer <admin.token_file>`; JSON in, JSON out.
extension ClientConnection {
    func handleAdminRequest(_ head: HTTPHead, target: HTTPTarget, body: [UInt8]) {
        let route = (head.method, target.path)
        if route == ("GET", "/healthz") {
            return respond(status: 200, reason: nil, body: JSONText.object(["ok": true]), close: false)
        }
        guard adminAuthorized(head) else {
            worker.logger.warning("admin_unauthorized", ["conn": .integer(id), "remote": .string(remoteLabel),
                                                          "path": .string(target.path)])
            return respond(status: 401, reason: nil, error: "unauthorized", close: false,
                           extraHeaders: [("WWW-Authenticate", "Bearer realm=\"curfew-admin\"")])
        }
        switch route {
        case ("GET", "/connections"): listConnections(user: target.queryValue("user"))
        case ("POST", "/revoke"): revoke(body)
        case ("POST", "/heartbeat"): adminHeartbeat(body)
        case ("GET", "/metrics"): metrics()
        case ("POST", "/reload"):
            // The signal thread owns reloading; the result appears as a `reload` log line.
            ControlSignals.send(SIGHUP)
            respond(status: 202, reason: "Accepted", body: JSONText.object(["reload": "requested"]), close: false)
        case (_, "/connections"), (_, "/revoke"), (_, "/heartbeat"), (_, "/metrics"), (_, "/reload"), (_, "/healthz"):
            respond(status: 405, reason: nil, error: "method_not_allowed", close: false)
        default:
            respond(status: 404, reason: nil, error: "not_found", close: false)
        }
    }

    /// Constant-time comparison of the bearer token with `admin.token_file`.
    private func adminAuthorized(_ head: HTTPHead) -> Bool {
        guard let token = worker.settings.auth.adminToken, let value = head.value(of: "Authorization"),
            value.utf8.count > 7, value.lowercased().hasPrefix("bearer ")
        else { return false }
        return ConstantTime.equals(Array(value.utf8.dropFirst(7)), token)
    }

    private func listConnections(user: String?) {
        let origin = id
        phase = .answering
        worker.shared.broadcast(
            from: worker.mailbox, { worker in worker.snapshots(user: user) },
            completion: { worker, perWorker in
                var out: [UInt8] = Array(#"{"connections":["#.utf8)
                var first = true
                for snapshot in perWorker.joined().sorted(by: { $0.id < $1.id }) {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    snapshot.json(into: &out)
                }
                out.append(contentsOf: "]}".utf8)
                worker.connections[origin]?.respond(status: 200, reason: nil, body: out, close: false)
            })
    }

    /// `POST /revoke` with exactly one of `user`, `session`, `jti`, `connection`: cuts the matching live
    /// connections on every worker (reason `revoked`) and, except for a single connection, makes the store
    /// refuse the credentials issued before now.
    private func revoke(_ body: [UInt8]) {
        guard let request = RevokeRequest(json: body) else {
            return respond(status: 400, reason: nil, error: "bad_request",
                           detail: #"expected exactly one of {"user"}, {"session"}, {"jti"}, {"connection"}"#, close: false)
        }
        let store = worker.shared.store
        let now = WallClock.milliseconds()
        let until = now + worker.settings.auth.revocationRetention
        let matches: @Sendable (ClientConnection) -> Bool
        let target: RevocationTarget?
        switch request {
        case .user(let name):
            target = .user(UserKey(db: nil, name: name))
            matches = { $0.guardState?.identity.user == name }
        case .session(let sessionID):
            let fingerprint = Fingerprint.session(sessionID)
            target = .session(fingerprint)
            matches = { $0.guardState?.identity.sessionFingerprint == fingerprint }
        case .jti(let jti):
            target = .jti(jti)
            matches = { $0.guardState?.identity.jti == jti }
        case .connection(let connectionID):
            target = nil
            matches = { $0.id == connectionID }
        }
        if let target { store.revoke(target, at: now, until: until) }
        worker.logger.info("revoke", ["target": .string(request.logDescription)])
        let origin = id
        phase = .answering
        worker.shared.broadcast(
            from: worker.mailbox,
            { worker -> Int in
                // Credentials without an issue time (Basic, certificates) are refused by id from now on.
                if let target {
                    for connection in worker.connections.values where connection.isEnforced && matches(connection) {
                        guard let credential = connection.guardState?.identity.credential else { continue }
                        // A live credential may outlive the retention (a JWT valid for days): the revocation is
                        // then kept until that credential would have expired, as the contract asks.
                        let keep = max(until, credential.expiresAt ?? until)
                        if let credentialID = credential.credentialID {
                            store.revoke(.credential(credentialID), at: now, until: keep)
                        }
                        if keep > until { store.revoke(target, at: now, until: keep) }
                    }
                }
                return worker.cut(where: matches, reason: CutReason.revoked.rawValue)
            },
            completion: { worker, counts in
                worker.connections[origin]?.respond(
                    status: 200, reason: nil, body: JSONText.object(["cut": .integer(counts.reduce(0, +))]), close: false)
            })
    }

    private func adminHeartbeat(_ body: [UInt8]) {
        guard case .user(let name)? = RevokeRequest(json: body) else {
            return respond(status: 400, reason: nil, error: "bad_request", detail: #"expected {"user": NAME}"#, close: false)
        }
        recordHeartbeat(user: name, refreshedExpiry: nil)
    }

    private func metrics() {
        let origin = id
        let metrics = worker.shared.metrics
        let shared = worker.shared
        phase = .answering
        worker.shared.broadcast(
            from: worker.mailbox, { worker in worker.timers.wheel.count },
            completion: { worker, counts in
                let entries = shared.sessions.withLock { $0.count }
                let text = Array(metrics.render(timerWheelEntries: counts.reduce(0, +), sessionTableEntries: entries).utf8)
                worker.connections[origin]?.respondText(text)
            })
    }

    /// 200 with a Prometheus text body.
    func respondText(_ body: [UInt8]) {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.count)\r\n\r\n"
        Array(head.utf8).withUnsafeBytes { writeToClient($0, forwarded: false) }
        body.withUnsafeBytes { writeToClient($0, forwarded: false) }
        if isClosed { return }
        logHTTP(status: 200, bytes: body.count, method: request?.method ?? "-", path: request?.path ?? "-",
                started: request?.startedAt ?? worker.now)
        let closeAfter = request?.closeAfter ?? false
        request = nil
        if closeAfter { finishAfterFlush() } else { readNextRequest() }
    }
}

/// The body of `POST /revoke` (and, with `user` only, `POST /heartbeat`): a JSON object with exactly one key.
enum RevokeRequest: Sendable {
    case user(String)
    case session(String)
    case jti(String)
    case connection(UInt64)

    private enum Scalar: Decodable {
        case string(String)
        case number(UInt64)
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let s = try? container.decode(String.self) {
                self = .string(s)
            } else if let n = try? container.decode(UInt64.self) {
                self = .number(n)
            } else {
                self = .other
            }
        }
    }

    init?(json: [UInt8]) {
        // "Exactly one selector": a repeated key is two selectors, which JSONDecoder would quietly make one.
        guard StrictJSON.isValid(json),
            let object = try? JSONDecoder().decode([String: Scalar].self, from: Data(json)), object.count == 1,
            let (key, value) = object.first
        else { return nil }
        switch (key, value) {
        case ("user", .string(let s)) where !s.isEmpty: self = .user(s)
        case ("session", .string(let s)) where !s.isEmpty: self = .session(s)
        case ("jti", .string(let s)) where !s.isEmpty: self = .jti(s)
        case ("connection", .number(let n)): self = .connection(n)
        case ("connection", .string(let s)): guard let n = UInt64(s) else { return nil }; self = .connection(n)
        default: return nil
        }
    }

    /// For the log line: session ids are secrets, so only their fingerprint is logged.
    var logDescription: String {
        switch self {
        case .user(let name): "user:\(name)"
        case .session(let id): "session:\(Fingerprint.session(id))"
        case .jti(let jti): "jti:\(jti)"
        case .connection(let n): "connection:\(n)"
        }
    }
}
