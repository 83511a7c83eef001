import CurfewHTTP
import CurfewLog
import CurfewNet
import CurfewPolicy

extension ClientConnection {
    /// Requests under `/_curfew/` that curfew answers itself. Returns false to forward the request to SG.
    func handleInternalRequest(_ head: HTTPHead, target: HTTPTarget, rest: UnsafeRawBufferPointer) -> Bool {
        switch target.path {
        case "/_curfew/heartbeat":
            // Never forwarded to SG, whatever the method.
            guard head.method == "POST" else {
                readLocalBody(rest) { [unowned self] _ in
                    respond(status: 405, reason: nil, error: "method_not_allowed", close: false, extraHeaders: [("Allow", "POST")])
                }
                return true
            }
            readLocalBody(rest) { [unowned self] _ in clientHeartbeat(head, target: target) }
            return true
        case "/_curfew/test/cut" where worker.settings.testHooks && head.method == "POST":
            readLocalBody(rest) { [unowned self] _ in testCut(target) }
            return true
        default:
            return false
        }
    }

    /// `POST /_curfew/heartbeat`: the client proves a still-valid credential. Moves the heartbeat deadline of the
    /// user's connections on every worker (and, with `refresh_credentials`, their JWT expiry to this token's),
    /// then answers 204 with `Curfew-Deadline`, the earliest deadline among them.
    private func clientHeartbeat(_ head: HTTPHead, target: HTTPTarget) {
        admit(head, target: target, enforced: true, isHeartbeat: true) { [unowned self] identity in
            guard let identity, identity.user != nil else {
                return reject("no_credential", bearer: false)
            }
            let auth = worker.settings.auth
            let refreshed = auth.refreshCredentials && identity.kind == .jwt ? identity.credential.expiresAt : nil
            recordHeartbeat(user: identity.user!, refreshedExpiry: refreshed)
        }
    }

    /// Records a heartbeat for `user` and answers 204 once every worker has moved its connections.
    func recordHeartbeat(user: String, refreshedExpiry: Int64?) {
        let now = WallClock.milliseconds()
        worker.shared.store.recordHeartbeat(user: UserKey(db: nil, name: user), at: now)
        worker.shared.metrics.heartbeats.add(1, ordering: .relaxed)
        let deadline = worker.settings.auth.heartbeatTimeout.map { now + $0 }
        let origin = id
        phase = .answering
        worker.shared.broadcast(
            from: worker.mailbox,
            { worker in worker.heartbeat(user: user, deadline: deadline, refreshedExpiry: refreshedExpiry) },
            completion: { worker, deadlines in
                let earliest = deadlines.compactMap { $0 }.min()
                var headers: [(String, String)] = []
                if let earliest { headers.append(("Curfew-Deadline", RFC3339.format(milliseconds: earliest))) }
                worker.connections[origin]?.respondNoContent(headers: headers)
            })
    }

    /// Test-only trigger (`CURFEW_TEST_HOOKS=1`): `POST /_curfew/test/cut?conn=ID&reason=WORD` or `?all=1`
    /// cuts websockets on every worker and answers `{"cut": N}`.
    private func testCut(_ target: HTTPTarget) {
        let all = target.queryValue("all") == "1"
        let wanted = target.queryValue("conn").flatMap { UInt64($0) }
        guard all || wanted != nil else {
            respond(status: 400, reason: nil, error: "bad_request", detail: "conn or all=1 required", close: false)
            return
        }
        let reason = target.queryValue("reason") ?? "test"
        let origin = id
        phase = .answering
        worker.shared.broadcast(
            from: worker.mailbox,
            { worker in worker.cut(where: { all || $0.id == wanted }, reason: reason) },
            completion: { worker, counts in
                let total = counts.reduce(0, +)
                worker.connections[origin]?.respond(
                    status: 200, reason: "OK", body: JSONText.object(["cut": .integer(total)]), close: false)
            })
    }

    /// 204 with extra header fields (no body, no Content-Length: RFC 9110 §8.6).
    func respondNoContent(headers: [(String, String)]) {
        var head = "HTTP/1.1 204 No Content\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let closeAfter = request?.closeAfter ?? false
        if closeAfter { head += "Connection: close\r\n" }
        head += "\r\n"
        Array(head.utf8).withUnsafeBytes { writeToClient($0, forwarded: false) }
        if isClosed { return }
        logHTTP(status: 204, bytes: 0, method: request?.method ?? "-", path: request?.path ?? "-",
                started: request?.startedAt ?? worker.now)
        request = nil
        if closeAfter { finishAfterFlush() } else { readNextRequest() }
    }
}
