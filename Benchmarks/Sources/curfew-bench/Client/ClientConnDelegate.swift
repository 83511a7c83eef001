import CurfewNet

/// A benchmark's side of its connections.
protocol ClientConnDelegate: AnyObject {
    /// The websocket is open (the 101 is in), or for a plain HTTP connection TLS is up. `leftover`: bytes that came
    /// after the 101 head in the same read (the first frames), valid only during the call.
    func connectionOpened(_ conn: ClientConn, leftover: UnsafeRawBufferPointer)
    /// Connecting, the TLS handshake or the upgrade failed; the connection is already closed.
    func connectionFailed(_ conn: ClientConn, reason: String)
    /// Readiness on an open connection (empty readiness: a `runSoon` continuation; try both directions).
    func connectionEvent(_ conn: ClientConn, readiness: Readiness)
}

/// Receives data frames from `ClientConn.readFrames`. Control frames are handled by the connection.
protocol FrameSink: AnyObject {
    /// Raw bytes read (frame headers included), for throughput counts.
    func received(_ conn: ClientConn, bytes: Int)
    /// Payload bytes of a data frame, `offset` bytes into it.
    func payload(_ conn: ClientConn, _ bytes: UnsafeRawBufferPointer, offset: UInt64)
    func frameEnd(_ conn: ClientConn)
}

extension FrameSink {
    func received(_ conn: ClientConn, bytes: Int) {}
    func payload(_ conn: ClientConn, _ bytes: UnsafeRawBufferPointer, offset: UInt64) {}
    func frameEnd(_ conn: ClientConn) {}
}

/// How a websocket read ended.
enum ReadOutcome {
    /// Everything available was read (or the fairness budget ran out and a continuation is scheduled).
    case open
    /// The server sent a close frame (its code, if any); our close reply is on its way.
    case closedByFrame(UInt16?)
    /// TCP closed or reset without a close frame; the text says which.
    case closedByPeer(String)
    case protocolError(String)

    /// Why a websocket that had to stay open did not; nil while it is open.
    var failureReason: String? {
        switch self {
        case .open: nil
        case .closedByFrame(let code): "server closed the websocket (code \(code.map(String.init) ?? "none"))"
        case .closedByPeer(let why): "connection lost: \(why)"
        case .protocolError(let why): "protocol error: \(why)"
        }
    }
}
