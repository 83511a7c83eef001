import CurfewHTTP
import CurfewLog
import CurfewNet

extension ClientConnection {
    /// Requests under `/_curfew/` that curfew answers itself. Returns false to forward the request to SG.
    func handleInternalRequest(_ head: HTTPHead, target: HTTPTarget) -> Bool {
        switch (head.method, target.path) {
        case ("POST", "/_curfew/test/cut") where worker.settings.testHooks:
            testCut(target)
            return true
        default:
            return false
        }
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
}
