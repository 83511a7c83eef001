/// One timer's slot in the slab. 40 bytes, so an entry never straddles more than one cache line pair and
/// usually sits in one.
struct TimerSlabEntry: Sendable {
    var deadline: Int64
    var token: UInt64
    /// Monotonic stamp given at schedule/reschedule: breaks deadline ties in schedule order.
    var sequence: UInt64
    /// Bumped when the entry is freed, which makes every `TimerID` naming it stale.
    var generation: UInt32
    /// Next entry on the free list when free; -1 ends the list.
    var next: Int32
    /// Where the entry sits in its wheel slot's array of indices; -1 when on none. Unused by the heap.
    var position: Int32
    /// Where the entry lives: the wheel's list index, 0 for "in the heap"; -1 when free.
    var home: Int32

    var isLive: Bool { home >= 0 }
}

/// Slab storage for timer entries, shared by `TimerWheel` and `TimerHeap`: plain values addressed by
/// `Int` index, freed indices on an intrusive free list threaded through `next`, so that once the slab has
/// grown to the peak number of live timers, scheduling allocates nothing.
///
/// Why an array of structs and not struct-of-arrays: with a million timers every schedule or cancel lands
/// on a cold entry, and its fields are always used together (generation check, links, deadline). One
/// 40-byte entry is one cache miss; nine parallel arrays were up to nine. Measured on the first version:
/// a random cancel+schedule pair touched ~11 cache lines in the struct-of-arrays layout, ~4 here.
struct TimerSlab: Sendable {
    var entries: [TimerSlabEntry] = []
    private(set) var freeHead: Int32 = -1
    private(set) var freeCount = 0
    private(set) var liveCount = 0
    private var nextSequence: UInt64 = 0

    var capacity: Int { entries.count }

    /// Takes an entry off the free list (or grows the slab) and fills it; `home` must be set by the owner.
    mutating func allocate(deadline: Int64, token: UInt64) -> Int {
        liveCount += 1
        let sequence = nextSequence
        nextSequence &+= 1
        if freeHead >= 0 {
            let index = Int(freeHead)
            freeHead = entries[index].next
            freeCount -= 1
            entries[index].deadline = deadline
            entries[index].token = token
            entries[index].sequence = sequence
            entries[index].next = -1
            entries[index].position = -1
            return index
        }
        precondition(entries.count < Int(Int32.max), "timer slab full")
        entries.append(
            TimerSlabEntry(
                deadline: deadline, token: token, sequence: sequence, generation: 0, next: -1, position: -1, home: -1))
        return entries.count - 1
    }

    /// Returns an entry to the free list and invalidates every id that names it.
    mutating func free(_ index: Int) {
        liveCount -= 1
        entries[index].home = -1
        entries[index].generation &+= 1
        entries[index].next = freeHead
        entries[index].position = -1
        freeHead = Int32(index)
        freeCount += 1
    }

    /// Files an entry: its list (`home`) and its place there, in one write access to the entry.
    @inline(__always)
    mutating func setHome(_ index: Int, list: Int32, position: Int32) {
        entries.withUnsafeMutableBufferPointer { entries in
            entries[index].home = list
            entries[index].position = position
        }
    }

    /// Gives a live entry a new deadline and a fresh sequence stamp.
    mutating func restamp(_ index: Int, deadline: Int64) {
        entries[index].deadline = deadline
        entries[index].sequence = nextSequence
        nextSequence &+= 1
    }

    /// The slab index an id names, or nil when the id is stale or was never issued here.
    func index(of id: TimerID) -> Int? {
        let index = Int(id.index)
        guard index < entries.count else { return nil }
        let entry = entries[index]
        guard entry.isLive, entry.generation == id.generation else { return nil }
        return index
    }

    func id(at index: Int) -> TimerID {
        TimerID(index: UInt32(index), generation: entries[index].generation)
    }

    func expired(at index: Int) -> ExpiredTimer {
        let entry = entries[index]
        return ExpiredTimer(
            id: TimerID(index: UInt32(index), generation: entry.generation), token: entry.token,
            deadline: entry.deadline)
    }

    /// True when entry `a` must fire before entry `b`.
    func firesBefore(_ a: Int, _ b: Int) -> Bool {
        let da = entries[a].deadline
        let db = entries[b].deadline
        return da < db || (da == db && entries[a].sequence < entries[b].sequence)
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
            if entries[index].isLive { violations.append("live entry \(index) is on the free list") }
            seen += 1
            if seen > capacity {
                violations.append("free list has a cycle")
                break
            }
            cursor = entries[index].next
        }
        if seen != freeCount { violations.append("free list holds \(seen) entries, freeCount says \(freeCount)") }
        let live = entries.reduce(0) { $0 + ($1.isLive ? 1 : 0) }
        if live != liveCount { violations.append("\(live) entries are live, liveCount says \(liveCount)") }
        if live + seen != capacity { violations.append("live \(live) + free \(seen) != capacity \(capacity)") }
        return violations
    }
}
