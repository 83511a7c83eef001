import CurfewLog
import CurfewNet
import Synchronization

/// State every worker thread shares. Everything here is thread-safe; nothing here is touched per byte.
final class SharedState: Sendable {
    let logger: Logger
    private let nextConnectionID = Atomic<UInt64>(1)
    /// Set once, before the workers start.
    private let mailboxes = Mutex<[Mailbox<Worker>]>([])
    let metrics = Metrics()

    init(logger: Logger) { self.logger = logger }

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

/// Counters for `/metrics`. Relaxed atomics: each is independent.
final class Metrics: Sendable {
    let connectionsOpen = Atomic<Int>(0)
    let websocketsOpen = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
}
