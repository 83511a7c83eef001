import CurfewPolicy

/// The small record appended per cut (the runtime's stand-in for "something kept per cut": its metrics histogram and
/// the log line). Appended to a buffer reserved and pre-faulted for every connection before the clock starts.
struct CutRecord {
    let connection: UInt64
    let deadlineMilliseconds: Int64
    /// Wall-clock nanoseconds at the cut minus the deadline, read where the runtime reads it (`logCut`).
    let latenessNanoseconds: Int64
    let reason: CutReason
}

/// Every cut of the run, and the checks on them.
struct CutTally {
    private(set) var records: [CutRecord] = []
    /// Cut before the deadline: must stay 0.
    private(set) var early = 0
    /// The same connection cut twice: must stay 0.
    private(set) var repeated = 0

    init(capacity: Int) {
        let filler = CutRecord(connection: 0, deadlineMilliseconds: 0, latenessNanoseconds: 0, reason: .shutdown)
        records = [CutRecord](repeating: filler, count: capacity)
        records.removeAll(keepingCapacity: true)  // capacity touched now, not in the firing window
    }

    var count: Int { records.count }

    mutating func record(_ record: CutRecord, alreadyCut: Bool) {
        if alreadyCut { repeated += 1 }
        if record.latenessNanoseconds < 0 { early += 1 }
        records.append(record)
    }

    /// Lateness of every cut in milliseconds, sorted.
    func sortedLatenessMilliseconds() -> [Double] {
        records.map { Double($0.latenessNanoseconds) / 1e6 }.sorted()
    }
}
