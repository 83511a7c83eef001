import CurfewLog
import CurfewPolicy

/// One row of `GET /connections`, taken on the owning worker's thread.
struct ConnectionSnapshot: Sendable {
    let id: UInt64
    let user: String?
    let credential: String
    let credentialID: String?
    let remote: String
    let path: String
    let opened: Int64
    let deadline: Int64?
    let deadlineCause: String?
    let bytesUp: Int
    let bytesDown: Int

    init(connection: ClientConnection, state: ConnectionGuard) {
        id = connection.id
        user = state.identity.user
        credential = state.identity.kind.rawValue
        credentialID = state.identity.credential.credentialID
        remote = connection.remoteLabel
        path = connection.ws?.path ?? connection.request?.path ?? "-"
        opened = state.enforcement.opened
        deadline = state.enforcement.deadline
        deadlineCause = state.enforcement.cause.map(Self.causeName)
        bytesUp = connection.ws?.bytesUp ?? 0
        bytesDown = connection.ws?.bytesDown ?? connection.responseBytes
    }

    static func causeName(_ cause: DeadlineCause) -> String {
        switch cause {
        case .credentialExpiry: "credential"
        case .certificateExpiry: "certificate"
        case .maxAge: "max_age"
        case .heartbeat: "heartbeat"
        }
    }

    func json(into out: inout [UInt8]) {
        out.append(contentsOf: JSONText.object([
            "id": .integer(id), "user": .optional(user), "credential": .string(credential),
            "credential_id": .optional(credentialID), "remote": .string(remote), "path": .string(path),
            "opened": .string(RFC3339.format(milliseconds: opened)),
            "deadline": deadline.map { .string(RFC3339.format(milliseconds: $0)) } ?? .null,
            "deadline_cause": .optional(deadlineCause), "bytes_up": .integer(bytesUp), "bytes_down": .integer(bytesDown),
        ]))
    }
}
