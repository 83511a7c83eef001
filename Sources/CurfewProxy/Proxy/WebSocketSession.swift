import CurfewHTTP
import CurfewLog

/// Per-websocket bookkeeping: frame boundaries of both directions (headers only; payload is never
/// buffered or unmasked), byte counts, and who closed.
///
/// Two trackers follow the client->SG stream: `clientFrames` at read time (it validates before anything is
/// forwarded) and `upstreamWritten` at write time (where SG's stream really stands when a cut comes while
/// bytes are still queued). SG->client needs only the write-time tracker: a cut sends a close frame only when
/// the bytes the client has received end on a frame boundary.
final class WebSocketSession {
    let openedAt: Int64
    let path: String
    let subprotocol: String?
    let user: String?
    var clientFrames: WebSocketFrameTracker
    var upstreamWritten: WebSocketFrameTracker
    var clientWritten: WebSocketFrameTracker
    var bytesUp = 0
    var bytesDown = 0
    var closedBy: String?
    var closeCode: Int?

    /// - Parameter compressed: SG's 101 accepted `permessage-deflate`, so data frames may carry RSV1.
    init(openedAt: Int64, path: String, subprotocol: String?, user: String?, compressed: Bool) {
        let rsv: UInt8 = compressed ? 0x40 : 0
        clientFrames = WebSocketFrameTracker(direction: .clientToServer, allowedReservedBits: rsv)
        upstreamWritten = WebSocketFrameTracker(direction: .clientToServer, allowedReservedBits: rsv)
        clientWritten = WebSocketFrameTracker(direction: .serverToClient, allowedReservedBits: rsv)
        self.openedAt = openedAt
        self.path = path
        self.subprotocol = subprotocol
        self.user = user
    }

    /// SG's bytes the client's socket accepted.
    func clientBound(_ bytes: UnsafeRawBufferPointer) {
        bytesDown += bytes.count
        _ = clientWritten.consume(bytes)
        if closedBy == nil, clientWritten.closeFrameSeen {
            closedBy = "upstream"
            closeCode = clientWritten.closeCode.map(Int.init)
        }
    }

    /// The client's bytes SG's socket accepted.
    func upstreamBound(_ bytes: UnsafeRawBufferPointer) {
        bytesUp += bytes.count
        _ = upstreamWritten.consume(bytes)
    }

    func clientClosedTCP() {
        if closedBy == nil { closedBy = "client" }
    }

    func finish(connection: ClientConnection) {
        let worker = connection.worker
        worker.shared.metrics.websocketsOpen.subtract(1, ordering: .relaxed)
        worker.logger.info(
            "ws_close",
            [
                "conn": .integer(connection.id), "closed_by": .string(closedBy ?? "client"),
                "code": closeCode.map { .integer($0) } ?? .null, "bytes_up": .integer(bytesUp),
                "bytes_down": .integer(bytesDown),
                "duration_ms": .integer((worker.now - openedAt) / 1_000_000),
            ])
    }
}
