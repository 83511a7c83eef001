import CurfewHTTP
import CurfewNet
import CurfewTLS
import CurfewTimer

/// One request to SG's admin API (e.g. `GET /{db}/_session/{id}`) on its own connection, driven by the
/// worker's loop. Session checks are rare (once per session per `recheck_interval`), so no pooling.
final class SGAdminCall: EventHandler {
    enum Outcome: Sendable {
        case response(status: Int, body: [UInt8])
        case failed(String)
    }

    let id: UInt64
    private unowned let worker: Worker
    private let upstream: UpstreamConnection
    private var out = PendingBytes()
    private var parser = HTTPHeadParser(kind: .response)
    private var status = 0
    private var tracker: BodyTracker?
    private var body: [UInt8] = []
    private var completion: ((Outcome) -> Void)?
    var timer: TimerID?

    /// Responses larger than this are not what the session API returns: fail rather than buffer.
    private static let maxBody = 64 * 1024

    private init(id: UInt64, worker: Worker, upstream: UpstreamConnection, completion: @escaping (Outcome) -> Void) {
        self.id = id
        self.worker = worker
        self.upstream = upstream
        self.completion = completion
    }

    /// Starts `GET path`; `completion` runs on the worker's thread, exactly once.
    static func get(_ path: String, settings: SGAdminSettings, worker: Worker, completion: @escaping (Outcome) -> Void) {
        let id = worker.shared.makeConnectionID()
        let fd: Int32
        let inProgress: Bool
        do { (fd, inProgress) = try Socket.connect(to: settings.address) } catch {
            completion(.failed(error.description))
            return
        }
        let upstreamSettings = UpstreamSettings(
            address: settings.address, serverName: settings.serverName, tls: settings.tls,
            connectTimeout: settings.timeout, maxIdleConnections: 0, idleTimeout: 0, description: settings.description)
        let connection = UpstreamConnection(id: id, fd: fd, connected: !inProgress, settings: upstreamSettings)
        let call = SGAdminCall(id: id, worker: worker, upstream: connection, completion: completion)
        var head = "GET \(path) HTTP/1.1\r\nHost: \(settings.serverName)\r\nAccept: application/json\r\n"
        if let authorization = settings.authorization { head += "Authorization: \(authorization)\r\n" }
        head += "Connection: close\r\n\r\n"
        call.out.append(Array(head.utf8))
        do { try worker.loop.register(fd: fd, handler: call) } catch {
            closeFileDescriptor(fd)
            completion(.failed(error.description))
            return
        }
        worker.adminCalls[id] = call
        call.timer = worker.schedule(.adminCallTimeout, id: id, at: worker.now + settings.timeout)
        call.step()
    }

    func handleEvent(fd: Int32, readiness: Readiness) { step() }

    func timedOut() {
        timer = nil
        finish(.failed("admin API timeout"))
    }

    private func step() {
        guard completion != nil else { return }
        switch upstream.continueConnecting() {
        case .pending: return
        case .failed(let error):
            finish(.failed(error))
            return
        case .ready: break
        }
        var failed: String? = nil
        out.send { raw in
            switch upstream.stream.write(raw) {
            case .bytes(let n): return n
            case .wouldBlock: return 0
            case .closed, .failed:
                failed = "write failed"
                return raw.count
            }
        }
        if let failed { return finish(.failed(failed)) }
        guard out.isEmpty else { return }
        while completion != nil {
            switch upstream.stream.read(into: worker.scratch) {
            case .wouldBlock: return
            case .closed:
                if tracker != nil, status != 0 { return finish(.response(status: status, body: body)) }
                return finish(.failed("admin API closed the connection"))
            case .failed(let error): return finish(.failed(error))
            case .bytes(let n): receive(UnsafeRawBufferPointer(rebasing: worker.scratch[0..<n]))
            }
        }
    }

    private func receive(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        if tracker == nil {
            switch parser.parse(bytes) {
            case .needMore: return
            case .failure(let error): return finish(.failed("bad admin API response: \(error.reason)"))
            case .head(let head, let consumed):
                status = head.status
                let framing = responseBodyFraming(head, requestMethod: "GET")
                if case .none = framing { return finish(.response(status: status, body: [])) }
                tracker = BodyTracker(framing)
                rest = UnsafeRawBufferPointer(rebasing: bytes[consumed...])
            }
        }
        guard var t = tracker, !rest.isEmpty else { return }
        switch t.consume(rest) {
        case .failure(let error): finish(.failed("bad admin API body: \(error.reason)"))
        case .success(let progress):
            tracker = t
            body.append(contentsOf: rest[0..<progress.bodyBytes])
            if body.count > Self.maxBody { return finish(.failed("admin API body too large")) }
            if progress.isComplete { finish(.response(status: status, body: body)) }
        }
    }

    private func finish(_ outcome: Outcome) {
        guard let completion else { return }
        self.completion = nil
        worker.cancel(&timer)
        worker.adminCalls[id] = nil
        upstream.close(loop: worker.loop)
        completion(outcome)
    }
}
