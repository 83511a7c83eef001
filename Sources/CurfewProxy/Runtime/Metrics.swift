import Synchronization

/// Counters behind `GET /metrics` (Prometheus text format). Hot-path counters are relaxed atomics; the
/// labelled ones are touched once per cut or reject and sit behind a lock.
final class Metrics: Sendable {
    let connectionsOpen = Atomic<Int>(0)
    let websocketsOpen = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    let heartbeats = Atomic<Int>(0)
    private let cuts = Mutex<[String: Int]>([:])
    private let rejects = Mutex<[String: Int]>([:])
    private let lateness = Mutex(LatencyHistogram(bounds: [0.001, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]))

    func countCut(reason: String, latenessSeconds: Double) {
        cuts.withLock { $0[reason, default: 0] += 1 }
        lateness.withLock { $0.observe(latenessSeconds) }
    }

    func countReject(reason: String) { rejects.withLock { $0[reason, default: 0] += 1 } }

    /// - Parameter sessionTableEntries: SG sessions tracked now (bounded by `credentials.session.table_size`):
    ///   exported so that operators can see a flood of bogus cookies hitting the bound.
    func render(timerWheelEntries: Int, sessionTableEntries: Int = 0) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("curfew_connections_open", "gauge", "Open client connections (REST and websocket).")
        out += "curfew_connections_open \(connectionsOpen.load(ordering: .relaxed))\n"
        family("curfew_websockets_open", "gauge", "Open spliced websockets.")
        out += "curfew_websockets_open \(websocketsOpen.load(ordering: .relaxed))\n"
        family("curfew_requests_total", "counter", "Request heads received on client listeners.")
        out += "curfew_requests_total \(requests.load(ordering: .relaxed))\n"
        family("curfew_cuts_total", "counter", "Connections cut by curfew, by reason.")
        for (reason, n) in cuts.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            out += "curfew_cuts_total{reason=\"\(reason)\"} \(n)\n"
        }
        family("curfew_rejects_total", "counter", "Requests refused by curfew (401, or 503 when SG cannot vouch for a session), by reason.")
        for (reason, n) in rejects.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            out += "curfew_rejects_total{reason=\"\(reason)\"} \(n)\n"
        }
        family("curfew_heartbeats_total", "counter", "Heartbeats accepted (client and admin).")
        out += "curfew_heartbeats_total \(heartbeats.load(ordering: .relaxed))\n"
        family("curfew_timer_wheel_entries", "gauge", "Timers armed in the workers' timer wheels.")
        out += "curfew_timer_wheel_entries \(timerWheelEntries)\n"
        family("curfew_session_table_entries", "gauge", "SG sessions tracked in the session table.")
        out += "curfew_session_table_entries \(sessionTableEntries)\n"
        family("curfew_cut_lateness_seconds", "histogram", "Cut time minus deadline.")
        out += lateness.withLock { $0.render(name: "curfew_cut_lateness_seconds") }
        return out
    }
}

struct LatencyHistogram: Sendable {
    let bounds: [Double]
    private var counts: [Int]
    private var sum = 0.0
    private var total = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
        sum += value
        total += 1
    }

    func render(name: String) -> String {
        var out = ""
        for (i, bound) in bounds.enumerated() { out += "\(name)_bucket{le=\"\(bound)\"} \(counts[i])\n" }
        out += "\(name)_bucket{le=\"+Inf\"} \(total)\n\(name)_sum \(sum)\n\(name)_count \(total)\n"
        return out
    }
}
