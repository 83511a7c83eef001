import CurfewLog
import CurfewNet
import CurfewPolicy
import Synchronization

/// State every worker thread shares. Everything here is thread-safe; nothing here is touched per byte.
final class SharedState: Sendable {
    let logger: Logger
    private let nextConnectionID = Atomic<UInt64>(1)
    /// Set once, before the workers start.
    private let mailboxes = Mutex<[Mailbox<Worker>]>([])
    let metrics = Metrics()
    /// Per-user enforcement state (heartbeats, revocations, user changes): the seam where a shared store
    /// (Redis) slots in when several curfew instances run behind one load balancer.
    let store: any EnforcementStore
    /// SG sessions curfew has seen, bounded (LRU with expiry). Touched at handshakes and rechecks only.
    let sessions: Mutex<SessionTable>
    /// Consecutive failed admin-API checks per session fingerprint (for `on_check_failure: cut`).
    let sessionCheckFailures = Mutex<[String: Int]>([:])

    init(logger: Logger, store: any EnforcementStore, sessionTableSize: Int) {
        self.logger = logger
        self.store = store
        self.sessions = Mutex(SessionTable(capacity: sessionTableSize))
    }

    /// Process-wide unique connection ids (they appear in logs and the admin API).
    func makeConnectionID() -> UInt64 { nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue }

    func setMailboxes(_ list: [Mailbox<Worker>]) { mailboxes.withLock { $0 = list } }
    var allMailboxes: [Mailbox<Worker>] { mailboxes.withLock { $0 } }

    /// Runs `job` on every worker; when all have answered, `completion` runs on `origin` with the answers
    /// in worker order. This is how a request on one worker (an admin revoke, the test cut hook) reaches
    /// connections owned by the others.
    func broadcast<T: Sendable>(
        from origin: Mailbox<Worker>, _ job: @escaping @Sendable (Worker) -> T,
        completion: @escaping @Sendable (Worker, [T]) -> Void
    ) {
        let targets = allMailboxes
        let gather = Gather<T>(count: targets.count)
        for (index, mailbox) in targets.enumerated() {
            mailbox.post { worker in
                let answer = job(worker)
                if let all = gather.add(answer, at: index) {
                    origin.post { originWorker in completion(originWorker, all) }
                }
            }
        }
    }
}

/// Collects one answer per worker; the last one to arrive gets the full list.
final class Gather<T: Sendable>: Sendable {
    private let state: Mutex<(answers: [T?], missing: Int)>
    init(count: Int) { state = Mutex((Array(repeating: nil, count: count), count)) }

    func add(_ answer: T, at index: Int) -> [T]? {
        state.withLock { s in
            s.answers[index] = answer
            s.missing -= 1
            return s.missing == 0 ? s.answers.map { $0! } : nil
        }
    }
}

