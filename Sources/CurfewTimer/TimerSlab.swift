/// Struct-of-arrays storage for timer entries, shared by `TimerWheel` and `TimerHeap`.
///
/// Entries are addressed by `Int` index; freed indices go on an intrusive free list (threaded through
/// `nextFree`) so that once the slab has grown to the peak number of live timers, scheduling allocates
/// nothing. Each entry's generation is bumped when it is freed, which makes old `TimerID`s stale.
struct TimerSlab: Sendable {
    var deadlines: [Int64] = []
    var tokens: [UInt64] = []
    /// Monotonic stamp given at schedule/reschedule: breaks deadline ties in schedule order.
    var sequences: [UInt64] = []
    var generations: [UInt32] = []
    var isLive: [Bool] = []
    var nextFree: [Int32] = []
    var freeHead: Int32 = -1
    var freeCount = 0
    private(set) var liveCount = 0
    private var nextSequence: UInt64 = 0

    var capacity: Int { deadlines.count }

    /// Takes an entry off the free list (or grows the slab) and fills it. `grew` tells the owner to grow its
    /// own parallel arrays.
    mutating func allocate(deadline: Int64, token: UInt64) -> (index: Int, grew: Bool) {
        liveCount += 1
        let sequence = takeSequence()
        if freeHead >= 0 {
            let index = Int(freeHead)
            freeHead = nextFree[index]
            freeCount -= 1
            nextFree[index] = -1
            deadlines[index] = deadline
            tokens[index] = token
            sequences[index] = sequence
            isLive[index] = true
            return (index, false)
        }
        precondition(deadlines.count < Int(Int32.max), "timer slab full")
        deadlines.append(deadline)
        tokens.append(token)
        sequences.append(sequence)
        generations.append(0)
        isLive.append(true)
        nextFree.append(-1)
        return (deadlines.count - 1, true)
    }

    /// Returns an entry to the free list and invalidates every id that names it.
    mutating func free(_ index: Int) {
        liveCount -= 1
        isLive[index] = false
        generations[index] &+= 1
        nextFree[index] = freeHead
        freeHead = Int32(index)
        freeCount += 1
    }

    /// Gives a live entry a new deadline and a fresh sequence stamp.
    mutating func restamp(_ index: Int, deadline: Int64) {
        deadlines[index] = deadline
        sequences[index] = takeSequence()
    }

    /// The slab index an id names, or nil when the id is stale or was never issued here.
    func index(of id: TimerID) -> Int? {
        let index = Int(id.index)
        guard index < deadlines.count, isLive[index], generations[index] == id.generation else { return nil }
        return index
    }

    func id(at index: Int) -> TimerID {
        TimerID(index: UInt32(index), generation: generations[index])
    }

    /// True when entry `a` must fire before entry `b`.
    func firesBefore(_ a: Int, _ b: Int) -> Bool {
        let da = deadlines[a]
        let db = deadlines[b]
        return da < db || (da == db && sequences[a] < sequences[b])
    }

    /// Free list: every entry on it is free, no cycles, and free + live == capacity.
    func freeListViolations() -> [String] {
        var violations: [String] = []
        var seen = 0
        var cursor = freeHead
        while cursor >= 0 {
            let index = Int(cursor)
            if index >= capacity {
                violations.append("free list points outside the slab: \(index)")
                break
            }
            if isLive[index] { violations.append("live entry \(index) is on the free list") }
            seen += 1
            if seen > capacity {
                violations.append("free list has a cycle")
                break
            }
            cursor = nextFree[index]
        }
        if seen != freeCount { violations.append("free list holds \(seen) entries, freeCount says \(freeCount)") }
        let live = isLive.reduce(0) { $0 + ($1 ? 1 : 0) }
        if live != liveCount { violations.append("\(live) entries are live, liveCount says \(liveCount)") }
        if live + seen != capacity { violations.append("live \(live) + free \(seen) != capacity \(capacity)") }
        return violations
    }

    private mutating func takeSequence() -> UInt64 {
        defer { nextSequence &+= 1 }
        return nextSequence
    }
}
