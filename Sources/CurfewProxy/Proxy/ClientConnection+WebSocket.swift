import CurfewHTTP
import CurfewLog
import CurfewNet
import CurfewTLS

extension ClientConnection {
    func switchToWebSocket(response: HTTPHead) {
        let path = request?.path ?? "-"
        phase = .webSocket
        request = nil
        // The parsers hold no buffers now; keep them empty for the connection's long life.
        requestParser.reset()
        responseParser.reset()
        let session = WebSocketSession(
            openedAt: worker.now, path: path, subprotocol: response.value(of: "Sec-WebSocket-Protocol"),
            user: pendingIdentity?.user,
            compressed: response.hasToken("permessage-deflate", in: "Sec-WebSocket-Extensions"))
        ws = session
        worker.shared.metrics.websocketsOpen.add(1, ordering: .relaxed)
        worker.logger.info(
            "ws_open",
            [
                "conn": .integer(id), "remote": .string(remoteLabel), "path": .string(path),
                "subprotocol": .optional(session.subprotocol), "user": .optional(session.user),
            ])
        beginEnforcement(pendingIdentity, db: pendingDB)
        pendingIdentity = nil
        if isClosed { return }
        if !leftover.isEmpty {
            let early = leftover
            leftover = []
            early.withUnsafeBytes { receiveClientFrames($0) }
        }
    }

    func receiveClientFrames(_ bytes: UnsafeRawBufferPointer) {
        guard let ws else { return }
        switch ws.clientFrames.consume(bytes) {
        case .protocolError(let error):
            worker.logger.info(
                "ws_protocol_error", ["conn": .integer(id), "error": .string(error.reason)])
            cut(reason: "protocol_error", closeCode: 1002, deadlineMilliseconds: WallClock.milliseconds())
            return
        case .ok:
            if ws.closedBy == nil, ws.clientFrames.closeFrameSeen {
                ws.closedBy = "client"
                ws.closeCode = ws.clientFrames.closeCode.map(Int.init)
            }
            writeToUpstream(bytes)
        }
    }

    func receiveUpstreamFrames(_ bytes: UnsafeRawBufferPointer) {
        writeToClient(bytes)
    }

    /// SG's side ended. After a completed close handshake that is the normal end; otherwise (SG reset or
    /// crashed) the client gets a TCP close without a close frame, so CBL treats it as transient and retries.
    func upstreamClosedWebSocket() {
        guard let ws else { return }
        if ws.closedBy == nil { ws.closedBy = "upstream" }
        if !toClient.isEmpty, ws.clientWritten.closeFrameSeen {
            finishAfterFlush()
            return
        }
        closeNow(graceful: false)
    }

    /// Stops forwarding at once and closes the websocket. If the client-bound stream is at a frame boundary
    /// the client gets a close frame (`close_code`, reason `curfew: <reason>`) and SG a masked 1001; if the
    /// client-bound stream is mid-frame, the client's connection is closed at once (a close frame there would
    /// corrupt the frame in flight). SG's side likewise gets a close frame only at a boundary.
    /// Both sockets are closed within `close_grace`.
    func cut(reason: String, closeCode: UInt16? = nil, deadlineMilliseconds: Int64) {
        if case .exchanging = phase, guardState != nil {
            // A streaming response: there are no frames to close; the response is cut by closing the connection.
            logCut(reason: reason, how: "tcp", deadlineMilliseconds: deadlineMilliseconds, bytesUp: 0,
                   bytesDown: responseBytes, path: request?.path ?? "-")
            abort(reason: "cut")
            return
        }
        guard let ws, isWebSocket else { return }
        let clientAtBoundary = ws.clientWritten.isAtFrameBoundary
        let upstreamAtBoundary = ws.upstreamWritten.isAtFrameBoundary
        ws.closedBy = "curfew"
        let code = closeCode ?? worker.settings.closeCode
        ws.closeCode = clientAtBoundary ? Int(code) : nil
        toClient.clear()
        toUpstream.clear()
        phase = .closing

        // The client's close first: when a batch cuts thousands at once, what the client sees is what counts.
        let how: String
        if clientAtBoundary {
            how = "close_frame"
            let frame = WebSocketCloseFrame.make(code: code, reason: "curfew: \(reason)", maskKey: nil)
            frame.withUnsafeBytes { writeToClient($0, forwarded: false) }
        } else {
            how = "tcp"
        }

        if !isClosed, let upstream {
            if upstreamAtBoundary && upstream.isReady {
                let frame = WebSocketCloseFrame.make(code: 1001, reason: "curfew: \(reason)", maskKey: SecureRandom.bytes(4))
                frame.withUnsafeBytes { writeToUpstream($0, forwarded: false) }
            } else {
                self.upstream = nil
                upstream.owner = nil
                upstream.close(loop: worker.loop)
            }
        }
        logCut(reason: reason, how: how, deadlineMilliseconds: deadlineMilliseconds, bytesUp: ws.bytesUp,
               bytesDown: ws.bytesDown, path: ws.path)
        if isClosed { return }
        if clientAtBoundary {
            graceTimer = worker.schedule(.closeGrace, id: id, at: worker.now + worker.settings.closeGrace)
        } else {
            closeNow(graceful: false)
        }
    }

    private func logCut(reason: String, how: String, deadlineMilliseconds: Int64, bytesUp: Int, bytesDown: Int, path: String) {
        let nowWall = WallClock.milliseconds()
        let identity = guardState?.identity
        // Forwarding stopped when the timer batch began (see `Worker.batchStartedAt`), or now for a cut that is not a
        // deadline's (a revocation, a recheck). The close itself went out now.
        let lateness = max(0, (worker.batchStartedAt ?? nowWall) - deadlineMilliseconds)
        let closeLateness = max(0, nowWall - deadlineMilliseconds)
        worker.shared.metrics.countCut(reason: reason, latenessSeconds: Double(lateness) / 1000)
        worker.logger.info(
            "cut",
            [
                "conn": .integer(id), "user": .optional(identity?.user),
                "credential": .string(identity?.kind.rawValue ?? "none"),
                "credential_id": .optional(identity?.credential.credentialID),
                "reason": .string(reason), "deadline": .string(RFC3339.format(milliseconds: deadlineMilliseconds)),
                "lateness_ms": .integer(lateness), "close_lateness_ms": .integer(closeLateness), "how": .string(how),
                "bytes_up": .integer(bytesUp), "bytes_down": .integer(bytesDown),
                "age_s": .integer((worker.now - openedAt) / 1_000_000_000), "remote": .string(remoteLabel),
                "path": .string(path),
            ])
    }

    /// After a cut: discard whatever either peer still sends; finish when the client answers the close
    /// (or hangs up) and the close frame has been written, or when `close_grace` runs out.
    func drainWhileClosing() {
        if let upstream, upReadable {
            while true {
                let status = upstream.stream.read(into: worker.scratch)
                if case .bytes = status { continue }
                if case .wouldBlock = status { upReadable = false; break }
                self.upstream = nil
                upstream.owner = nil
                upstream.close(loop: worker.loop)
                break
            }
        }
        guard let ws else { return }
        while downReadable {
            switch down.read(into: worker.scratch) {
            case .bytes(let n):
                if case .protocolError = ws.clientFrames.consume(UnsafeRawBufferPointer(rebasing: worker.scratch[0..<n])) {
                    closeNow(graceful: false)
                    return
                }
            case .wouldBlock:
                downReadable = down.hasBufferedInput
            case .closed, .failed:
                closeNow(graceful: false)
                return
            }
        }
        if ws.clientFrames.closeFrameSeen && toClient.isEmpty { closeNow(graceful: false) }
    }
}
