import CurfewHTTP
import CurfewLog
import CurfewNet
import CurfewPolicy

extension ClientConnection {
    // MARK: request head

    func receiveHeadBytes(_ bytes: UnsafeRawBufferPointer) {
        if headBytesSeen == 0 {
            worker.cancel(&idleTimer)
            if headerTimer == nil {
                headerTimer = worker.schedule(.headerTimeout, id: id, at: worker.now + worker.settings.headerTimeout)
            }
        }
        headBytesSeen += bytes.count
        switch requestParser.parse(bytes) {
        case .needMore:
            return
        case .failure(let error):
            respond(status: error.status, reason: nil, error: error.reason, close: true)
        case .head(let head, let consumed):
            worker.cancel(&headerTimer)
            requestHeadReceived(head, rest: UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
        }
    }

    private func requestHeadReceived(_ head: HTTPHead, rest: UnsafeRawBufferPointer) {
        worker.shared.metrics.requests.add(1, ordering: .relaxed)
        let target = HTTPTarget(head.target)
        let framing: BodyFraming
        switch requestBodyFraming(head) {
        case .failure(let error):
            respond(status: error.status, reason: nil, error: error.reason, close: true)
            return
        case .success(let f):
            framing = f
        }
        let isUpgrade = isWebSocketUpgrade(head)
        let clientWantsClose =
            head.hasToken("close", in: "Connection") || (head.versionMinor == 0 && !head.hasToken("keep-alive", in: "Connection"))
        var state = RequestState(
            method: head.method, path: target.path, isUpgrade: isUpgrade, body: nil, bodyComplete: true,
            closeAfter: clientWantsClose || worker.shuttingDown, startedAt: worker.now, replayableHead: nil)
        switch framing {
        case .none, .contentLength(0):
            break  // no body bytes to wait for
        default:
            state.body = BodyTracker(framing)
            state.bodyComplete = false
        }
        request = state

        if listener.role == .admin {
            // The collected body keeps its transfer coding (the tracker never changes bytes): take it off here,
            // or a chunked `POST /revoke` would be JSON with chunk lines in it, answered 400.
            let chunked = framing == .chunked
            readLocalBody(rest) { [unowned self] body in
                handleAdminRequest(head, target: target, body: chunked ? ChunkedBody.decode(body) ?? [] : body)
            }
            return
        }
        if listener.role == .public, target.path.hasPrefix("/_curfew/"), handleInternalRequest(head, target: target, rest: rest) {
            return
        }
        guard listener.role == .public else {
            forward(head, identity: nil, enforced: false, db: nil, rest: rest)
            return
        }
        // The credential is checked before anything reaches SG. Body bytes that came with the head wait in a
        // copy while the check may ask SG's admin API.
        let early = Array(rest)
        let enforced = isUpgrade || isStreamingChangesRequest(path: target.path, feed: target.queryValue("feed"))
        admit(head, target: target, enforced: enforced) { [unowned self] identity in
            early.withUnsafeBytes {
                forward(head, identity: identity, enforced: enforced, db: SGPath.database(ofPath: target.path), rest: $0)
            }
        }
    }

    /// Sends the request to SG: rewritten head, then the body as it streams in.
    private func forward(_ head: HTTPHead, identity: Identity?, enforced: Bool, db: String?, rest: UnsafeRawBufferPointer) {
        adminExchange =
            listener.role == .gatewayAdmin
            ? SGAdminAction.classify(method: head.method, path: head.target).map { AdminExchange(action: $0) } : nil
        pendingIdentity = identity
        pendingEnforced = enforced
        pendingDB = db
        let forwarding: ForwardingInfo? =
            listener.role == .public ? ForwardingInfo(clientAddress: remoteHost, isTLS: listener.tls != nil) : nil
        let upstreamHead = HeadRewriter.upstreamRequest(head, forwarding: forwarding)
        upstreamHead.withUnsafeBytes { toUpstream.append($0) }
        if request?.bodyComplete == true { request?.replayableHead = upstreamHead }
        receiveRequestBody(rest)

        phase = .connectingUpstream
        let connection: UpstreamConnection
        do {
            connection = try pool.acquire(owner: self)
        } catch {
            upstreamUnavailable(error.description)
            return
        }
        upstream = connection
        upReadable = true
        if connection.isReady {
            startExchange()
        } else {
            connectTimer = worker.schedule(
                .upstreamConnect, id: id, at: worker.now + pool.settings.connectTimeout)
        }
    }

    /// Reads the (bounded) body of a request curfew answers itself, then hands it over.
    func readLocalBody(_ rest: UnsafeRawBufferPointer, then handler: @escaping ([UInt8]) -> Void) {
        if request?.bodyComplete != false {
            stashLeftover(rest)
            handler([])
            return
        }
        localBody = []
        localHandler = handler
        phase = .localBody
        receiveRequestBody(rest)
    }

    /// Body bytes of the current request go to SG; anything after the body waits in `leftover`.
    func receiveRequestBody(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        guard var state = request, !state.bodyComplete, var tracker = state.body else {
            stashLeftover(bytes)
            return
        }
        switch tracker.consume(bytes) {
        case .failure(let error):
            // The head already went (or is going) to SG; a broken body poisons both connections.
            if responseStarted {
                abort(reason: "bad_request_body")
            } else {
                respond(status: error.status, reason: nil, error: error.reason, close: true)
            }
            return
        case .success(let progress):
            state.body = tracker
            if progress.isComplete { state.bodyComplete = true }
            request = state
            let body = UnsafeRawBufferPointer(rebasing: bytes[0..<progress.bodyBytes])
            if localBody != nil {
                localBody!.append(contentsOf: body)
                if localBody!.count > 64 * 1024 {
                    localBody = nil
                    localHandler = nil
                    respond(status: 413, reason: nil, error: "too_large", close: true)
                    return
                }
                if progress.isComplete, let handler = localHandler, let collected = localBody {
                    localBody = nil
                    localHandler = nil
                    if progress.bodyBytes < bytes.count { stashLeftover(UnsafeRawBufferPointer(rebasing: bytes[progress.bodyBytes...])) }
                    phase = .answering
                    handler(collected)
                    return
                }
            } else {
                adminExchange?.captureRequest(body)
                writeToUpstream(body)
            }
            if progress.bodyBytes < bytes.count { stashLeftover(UnsafeRawBufferPointer(rebasing: bytes[progress.bodyBytes...])) }
        }
    }

    func stashLeftover(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        leftover.append(contentsOf: bytes)
    }

    // MARK: upstream connection

    func startExchange() {
        worker.cancel(&connectTimer)
        phase = .exchanging
        responseParser.reset()
        responseBody = nil
        responseStatus = 0
        responseBytes = 0
        responseStarted = false
        upstreamWantsClose = false
        if upstream?.exchanges == 0 { request?.replayableHead = nil }
        flushToUpstream()
        progress()
    }

    /// SG could not be reached (refused, timed out, TLS failed): 502, unless bytes of a response already went out.
    func upstreamUnavailable(_ error: String) {
        worker.cancel(&connectTimer)
        worker.logger.warning(
            "upstream_error",
            ["conn": .integer(id), "upstream": .string(pool.settings.description), "error": .string(error)])
        if let upstream {
            self.upstream = nil
            upstream.owner = nil
            upstream.close(loop: worker.loop)
        }
        toUpstream.clear()
        if responseStarted {
            abort(reason: "upstream_gone")
        } else {
            respond(status: 502, reason: "Bad Gateway", error: "bad_gateway", close: true)
        }
    }

    // MARK: response

    func receiveResponse(_ bytes: UnsafeRawBufferPointer) {
        guard var tracker = responseBody else {
            receiveResponseHead(bytes)
            return
        }
        switch tracker.consume(bytes) {
        case .failure:
            worker.logger.warning("upstream_error", ["conn": .integer(id), "error": "bad response body"])
            abort(reason: "upstream_gone")
        case .success(let progress):
            responseBody = tracker
            responseBytes += progress.bodyBytes
            let body = UnsafeRawBufferPointer(rebasing: bytes[0..<progress.bodyBytes])
            adminExchange?.captureResponse(body)
            writeToClient(body)
            if isClosed { return }
            if progress.isComplete {
                if progress.bodyBytes < bytes.count { upstreamWantsClose = true }  // SG sent more than the message
                responseComplete()
            }
        }
    }

    private func receiveResponseHead(_ bytes: UnsafeRawBufferPointer) {
        switch responseParser.parse(bytes) {
        case .needMore:
            return
        case .failure(let error):
            upstreamUnavailable("bad response head: \(error.reason)")
        case .head(let head, let consumed):
            request?.replayableHead = nil
            let rest = UnsafeRawBufferPointer(rebasing: bytes[consumed...])
            responseHeadReceived(head, rest: rest)
        }
    }

    private func responseHeadReceived(_ head: HTTPHead, rest: UnsafeRawBufferPointer) {
        guard let request else { return }
        responseStatus = head.status
        adminExchange?.status = head.status
        observeSetCookies(head)
        if head.status == 101 {
            guard request.isUpgrade else {
                upstreamUnavailable("101 without an upgrade request")
                return
            }
            // SG's 101 goes back exactly as SG sent it (subprotocol, accept key, cookies).
            responseStarted = true
            head.rawBytes.withUnsafeBytes { writeToClient($0, forwarded: false) }
            switchToWebSocket(response: head)
            if !rest.isEmpty { receiveUpstreamFrames(rest) }
            return
        }
        if (100..<200).contains(head.status) {
            // Interim (100 Continue): forward and wait for the final head.
            responseStarted = true
            HeadRewriter.clientResponse(head, closeAfter: false).withUnsafeBytes { writeToClient($0, forwarded: false) }
            responseParser.reset()
            if !rest.isEmpty { receiveResponseHead(rest) }
            return
        }
        let framing = responseBodyFraming(head, requestMethod: request.method)
        if case .untilClose = framing { upstreamWantsClose = true }
        if head.hasToken("close", in: "Connection") || head.versionMinor == 0 { upstreamWantsClose = true }
        if case .untilClose = framing { self.request?.closeAfter = true }
        responseStarted = true
        let closeAfter = self.request?.closeAfter ?? true
        let rewritten = HeadRewriter.clientResponse(head, closeAfter: closeAfter)
        if case .none = framing {} else if !rest.isEmpty {
            // The body's first bytes came with the head: send both with one write (one TLS record, one send(2))
            // instead of two. `writeToClient` prepends the held head to the next bytes it is given.
            heldResponseHead = rewritten
        }
        if heldResponseHead == nil {
            rewritten.withUnsafeBytes { writeToClient($0, forwarded: false) }
            if isClosed { return }
        }
        if case .none = framing {
            if !rest.isEmpty { upstreamWantsClose = true }
            responseComplete()
            return
        }
        responseBody = BodyTracker(framing)
        responseUntilClose = framing == .untilClose
        if pendingEnforced, (200..<300).contains(head.status) {
            // A streaming `_changes` feed lives under the same deadline as a websocket.
            beginEnforcement(pendingIdentity, db: pendingDB)
            if isClosed { return }
        }
        if !rest.isEmpty { receiveResponse(rest) }
        if let held = heldResponseHead {
            // Nothing of `rest` was body after all (or the connection ended): the head still goes out.
            heldResponseHead = nil
            if !isClosed { held.withUnsafeBytes { writeToClient($0, forwarded: false) } }
        }
    }

    /// The response is complete: log it, give the upstream back to the pool when it can be reused, and go
    /// back to reading the next request (or close).
    func responseComplete() {
        if let held = heldResponseHead {
            // A held head whose body turned out empty (Content-Length: 0 with stray bytes after it) still goes out,
            // before anything below can close the connection.
            heldResponseHead = nil
            held.withUnsafeBytes { writeToClient($0, forwarded: false) }
            if isClosed { return }
        }
        guard var request else { return }
        if let state = guardState {
            var timer = state.timer
            var recheck = state.recheckTimer
            worker.cancel(&timer)
            worker.cancel(&recheck)
            guardState = nil
        }
        pendingIdentity = nil
        if let exchange = adminExchange {
            adminExchange = nil
            if (200..<300).contains(exchange.status) { applyAdminAction(exchange) }
        }
        logHTTP(status: responseStatus, bytes: responseBytes, method: request.method, path: request.path, started: request.startedAt)
        if let upstream {
            self.upstream = nil
            if request.bodyComplete && !upstreamWantsClose && toUpstream.isEmpty {
                pool.release(upstream)
            } else {
                upstream.owner = nil
                upstream.close(loop: worker.loop)
            }
        }
        toUpstream.clear()
        if !request.bodyComplete { request.closeAfter = true }
        self.request = nil
        responseBody = nil
        if request.closeAfter {
            finishAfterFlush()
            return
        }
        readNextRequest()
    }

    func readNextRequest() {
        phase = .readingHead
        requestParser.reset()
        headBytesSeen = 0
        idleTimer = worker.schedule(.keepAliveIdle, id: id, at: worker.now + worker.settings.keepAliveTimeout)
        if !leftover.isEmpty {
            let pipelined = leftover
            leftover = []
            pipelined.withUnsafeBytes { receiveHeadBytes($0) }
            if isClosed { return }
        }
        progress()
    }

    /// Closes once everything queued for the client has been written.
    func finishAfterFlush() {
        closeWhenFlushed = true
        phase = .answering
        flushToClient()
    }

    // MARK: end of stream

    func upstreamEOF() {
        switch phase {
        case .exchanging:
            if responseBody != nil, responseUntilClose {
                upstreamWantsClose = true
                request?.closeAfter = true
                responseComplete()
            } else if !responseStarted, let head = request?.replayableHead, let old = upstream, old.exchanges > 0 {
                // A reused keep-alive connection that SG had already closed: send the request again, once.
                upstream = nil
                old.owner = nil
                old.close(loop: worker.loop)
                request?.replayableHead = nil
                toUpstream.clear()
                head.withUnsafeBytes { toUpstream.append($0) }
                phase = .connectingUpstream
                do {
                    let fresh = try pool.acquire(owner: self)
                    fresh.exchanges = 0
                    upstream = fresh
                    upReadable = true
                    if fresh.isReady { startExchange() } else {
                        connectTimer = worker.schedule(
                            .upstreamConnect, id: id, at: worker.now + pool.settings.connectTimeout)
                    }
                } catch {
                    upstreamUnavailable(error.description)
                }
            } else if !responseStarted {
                upstreamUnavailable("connection closed before a response")
            } else {
                abort(reason: "upstream_gone")
            }
        case .webSocket:
            upstreamClosedWebSocket()
        case .closing:
            if let upstream {
                self.upstream = nil
                upstream.owner = nil
                upstream.close(loop: worker.loop)
            }
        default:
            abort(reason: "upstream_gone")
        }
    }

    func clientEOF() {
        switch phase {
        case .readingHead where headBytesSeen == 0:
            closeNow()
        case .webSocket:
            ws?.clientClosedTCP()
            closeNow(graceful: false)
        case .closing:
            closeNow(graceful: false)
        default:
            abort(reason: "client_gone")
        }
    }

    // MARK: curfew's own answers

    /// Answers the current request from curfew itself, with a small JSON body.
    func respond(status: Int, reason: String?, error: String, detail: String? = nil, close: Bool,
                 extraHeaders: [(String, String)] = []) {
        var body: KeyValuePairs<String, LogValue> = ["error": .string(error)]
        if let detail { body = ["error": .string(error), "reason": .string(detail)] }
        respond(status: status, reason: reason, body: JSONText.object(body), close: close, extraHeaders: extraHeaders)
    }

    func respond(status: Int, reason: String?, body: [UInt8], close: Bool, extraHeaders: [(String, String)] = []) {
        worker.cancel(&headerTimer)
        let closeAfter = close || request?.closeAfter ?? true || request?.bodyComplete == false
        let bytes = HTTPResponse.simple(
            status: status, reason: reason ?? StatusReason.phrase(status), headers: extraHeaders.map { (name: $0.0, value: $0.1) },
            jsonBody: body, close: closeAfter)
        bytes.withUnsafeBytes { writeToClient($0, forwarded: false) }
        if isClosed { return }
        logHTTP(status: status, bytes: body.count, method: request?.method ?? "-", path: request?.path ?? "-",
                started: request?.startedAt ?? worker.now)
        request = nil
        if closeAfter {
            finishAfterFlush()
        } else {
            readNextRequest()
        }
    }

    func logHTTP(status: Int, bytes: Int, method: String, path: String, started: Int64) {
        // Admin paths carry session ids (`/{db}/_session/{id}`): log their fingerprints, never the ids.
        let safePath = SGLogPath.redacted(path, fingerprint: Fingerprint.session)
        worker.logger.info(
            "http",
            [
                "conn": .integer(id), "remote": .string(remoteLabel), "method": .string(method), "path": .string(safePath),
                "status": .integer(status), "bytes": .integer(bytes),
                "ms": .double(Double((worker.now - started) / 1000) / 1000),
            ])
    }
}
