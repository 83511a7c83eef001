/// A hierarchical timer wheel (h2o `lib/common/timerwheel.c` / Linux `kernel/time/timer.c` style) holding
/// every deadline of one event-loop worker.
///
/// Time is cut into ticks of `tick` nanoseconds. Six levels of 64 slots cover 64^6 ticks (about 800 days
/// at a 1 ms tick, 8000 days at the 10 ms default); timers beyond that wait in an overflow list.
///
/// Placement (h2o's rule): a timer due in tick `p` goes to the level of the highest 6-bit group in which
/// `p` differs from the current tick, in the slot given by `p`'s digit at that level. So level 0 slots hold
/// exact ticks of the current 64-tick block, and a level-L slot is "cascaded" (its timers re-placed one or
/// more levels down) exactly when the current tick reaches the start of that slot. Every timer is touched
/// at most once per level: schedule, cancel and reschedule are O(1), expiry amortised O(1) per timer.
///
/// Entries live in a slab (`TimerSlab`, plain 40-byte values, no object per timer). Each slot is an array of slab
/// indices (an entry knows its slot and its position there, so removal is a swap with the slot's last index), with a
/// 64-bit occupancy bitmap per level, so finding the next busy slot is one `trailingZeroBitCount`. Arrays rather than
/// intrusive linked lists: walking a slot (a cascade, or reading the current tick) then issues independent loads the
/// CPU overlaps, instead of chasing one `next` link per cache miss — with a million timers each entry is a miss, and
/// a cascade of a level-1 slot moves 64 ticks' worth of timers in one go. Cancelling touches one other entry (the one
/// swapped into the hole) instead of two neighbours.
///
/// The current tick is kept sorted. When `expire` reaches a tick (or finds new timers filed under it), it reads that
/// slot's entries out of the slab once into the **run**: `DueRecord`s (deadline, sequence, token, id) sorted by
/// firing order. Each `expire` then pops the due prefix of the run, already in order, and `nextWakeup` is the run's
/// first deadline: neither walks the slot again however many timers it holds, and no batch is ever sorted through
/// the slab. A run entry's slab `home` is `runList`; cancelling or rescheduling it leaves its record behind, which
/// is recognised as dead (the entry's `home` or `sequence` no longer match) and skipped when popped.
///
/// Not thread-safe by design: one wheel per worker thread.
public struct TimerWheel: TimerQueue, Sendable {
    /// Slots per level (one 6-bit digit of the tick number).
    public static let slotsPerLevel = 64
    /// Number of levels. 64^6 ticks >= 400 days at a 1 ms tick, as required.
    public static let levelCount = 6

    private static let bitsPerLevel: Int64 = 6
    private static let slotMask: Int64 = 63
    /// Index of the overflow list in `slots`, after the level slots.
    private static let overflowList = levelCount * slotsPerLevel
    /// The `home` of an entry whose record is in `run` (not a list in `slots`).
    private static let runList = overflowList + 1
    /// Ticks spanned by the whole wheel: timers whose tick differs from the current tick above these bits
    /// sit in the overflow list.
    private static let wheelBits = bitsPerLevel * Int64(levelCount)

    /// Length of one tick in nanoseconds.
    public let tick: Int64
    /// The tick the wheel was last advanced to. Every live timer is placed relative to it.
    private var currentTick: Int64

    /// Entries; an entry's `home` is its list (level * 64 + slot, or `overflowList`).
    private var slab = TimerSlab()
    /// Slab indices per list (level * 64 + slot, then the overflow list), in no particular order.
    private var slots: [[Int32]]
    private var occupied: [UInt64]
    /// Lowest wheel-span base among overflow timers: when the current tick reaches it, the overflow list is
    /// re-placed. May be stale-low after a cancel, which only costs one early re-placement.
    private var overflowBase: Int64 = .max
    /// The current tick's timers read out of the slab, sorted by firing order from `runStart` on (records before
    /// `runStart` are spent). Records whose entry was cancelled or rescheduled since are dead and skipped.
    private var run: [DueRecord] = []
    private var runStart = 0
    /// A lower bound of the deadlines on the current tick's slot list (timers filed under the current tick since
    /// the run was last built): `.max` when the list is empty, `.min` when unknown (the tick has just changed).
    private var listEarliest: Int64 = .max
    /// Scratch for one drain, kept to avoid allocating per call: list entries already due, and the others.
    private var due: [DueRecord] = []
    private var later: [DueRecord] = []

    /// Creates an empty wheel whose clock currently reads `now`.
    /// - Parameters:
    ///   - tick: granularity in nanoseconds (> 0); default 10 ms. Cut lateness stays within one tick.
    ///   - now: the current monotonic time in nanoseconds.
    public init(tick: Int64 = 10_000_000, now: Int64) {
        precondition(tick > 0, "tick must be positive")
        self.tick = tick
        // Monotonic clocks start at >= 0; clamping keeps all tick numbers non-negative, so the XOR placement
        // never sees a sign bit. Negative deadlines are then simply "in the past".
        self.currentTick = max(0, now / tick)
        self.slots = [[Int32]](repeating: [], count: Self.overflowList + 1)
        self.occupied = [UInt64](repeating: 0, count: Self.levelCount)
    }

    public var count: Int { slab.liveCount }

    /// Slab entries allocated so far (live + free): the peak number of timers, for tests of slab reuse.
    var slabCapacity: Int { slab.capacity }

    public mutating func schedule(at deadline: Int64, token: UInt64) -> TimerID {
        let index = slab.allocate(deadline: deadline, token: token)
        place(index)
        return slab.id(at: index)
    }

    @discardableResult
    public mutating func cancel(_ id: TimerID) -> Bool {
        guard let index = slab.index(of: id) else { return false }
        unlink(index)
        slab.free(index)
        return true
    }

    @discardableResult
    public mutating func reschedule(_ id: TimerID, at deadline: Int64) -> Bool {
        guard let index = slab.index(of: id) else { return false }
        unlink(index)
        slab.restamp(index, deadline: deadline)
        place(index)
        return true
    }

    public func deadline(of id: TimerID) -> Int64? {
        slab.index(of: id).map { slab.entries[$0].deadline }
    }

    public mutating func expire(now: Int64, into expired: inout [ExpiredTimer]) {
        let target = max(tickNumber(now), currentTick)
        while true {
            // Ticks are drained in order and each drain hands back its timers in order: the batch is sorted
            // without ever being sorted as a whole.
            drainCurrentTick(now: now, into: &expired)
            if currentTick == target { break }
            guard let event = nextEventTick(), event <= target else {
                // Nothing is due or needs cascading up to `target`: every timer stays valid where it is, and the
                // slot of `target` is empty (a busy level-0 slot up to `target` would have been an event).
                currentTick = target
                listEarliest = .max
                break
            }
            currentTick = event
            listEarliest = .min
            cascade()
        }
    }

    public func nextWakeup() -> Int64? {
        guard slab.liveCount > 0 else { return nil }
        // The current tick: its run's first deadline is exact after `expire` (a cancel since may leave it early,
        // never late), and timers filed under it since then are bounded by `listEarliest`. Either way one tick's
        // timers: rounding would spin (tick start) or be late (tick end) for a past deadline.
        var earliest: Int64? = nil
        if !slots[Int(currentTick & Self.slotMask)].isEmpty { earliest = listEarliest }
        if runStart < run.count { earliest = min(earliest ?? .max, run[runStart].deadline) }
        if let earliest { return earliest }
        guard let event = nextEventTick() else { return nil }
        // A level-0 event is the tick the earliest timer is due in; a higher-level or overflow event is
        // the start of a cascade, which is early, never late.
        return startOfTick(event)
    }

    public func validate() throws {
        var violations = slab.freeListViolations()
        var listed = 0
        for listIndex in slots.indices {
            let list = slots[listIndex]
            for (position, item) in list.enumerated() {
                let index = Int(item)
                guard index >= 0, index < slab.capacity else {
                    violations.append("list \(listIndex) holds \(index), outside the slab")
                    continue
                }
                let entry = slab.entries[index]
                if !entry.isLive { violations.append("free entry \(index) on list \(listIndex)") }
                if entry.home != Int32(listIndex) {
                    violations.append("entry \(index) on list \(listIndex) says it is on \(entry.home)")
                }
                if entry.position != Int32(position) {
                    violations.append("entry \(index) is at \(position) of list \(listIndex), says \(entry.position)")
                }
                let expected = listFor(tick: placementTick(index))
                if expected != listIndex {
                    violations.append(
                        "entry \(index) (deadline \(entry.deadline)) is on list \(listIndex), belongs on \(expected)")
                }
                if listIndex == Self.overflowList, overflowBase > placementTick(index) {
                    violations.append("overflow base \(overflowBase) is after overflow entry \(index)")
                }
                if listIndex == Int(currentTick & Self.slotMask), entry.deadline < listEarliest {
                    violations.append("entry \(index) on the current slot is due before listEarliest \(listEarliest)")
                }
            }
            listed += list.count
            if listIndex < Self.overflowList {
                let level = listIndex / Self.slotsPerLevel
                let bit = (occupied[level] >> UInt64(listIndex % Self.slotsPerLevel)) & 1
                if (bit == 1) != !list.isEmpty { violations.append("occupancy bit of list \(listIndex) is wrong") }
            }
        }
        listed += runViolations(into: &violations)
        if listed != slab.liveCount {
            violations.append("lists and run hold \(listed) entries, \(slab.liveCount) are live")
        }
        if !violations.isEmpty { throw TimerQueueInvariantError(violations: violations) }
    }

    /// The run: sorted from `runStart`, every live record filed under the current tick, and every entry whose
    /// `home` is the run named by exactly one live record. Returns the number of live records.
    private func runViolations(into violations: inout [String]) -> Int {
        if runStart > run.count { violations.append("run start \(runStart) is past its end \(run.count)") }
        var live = 0
        for position in min(runStart, run.count)..<run.count {
            let record = run[position]
            if position > runStart, !run[position - 1].precedes(record) {
                violations.append("run out of order at \(position)")
            }
            guard record.index >= 0, Int(record.index) < slab.capacity else {
                violations.append("run record \(position) points outside the slab")
                continue
            }
            guard isLive(record) else { continue }
            live += 1
            let entry = slab.entries[Int(record.index)]
            if entry.generation != record.generation || entry.token != record.token
                || entry.deadline != record.deadline
            {
                violations.append("run record \(position) disagrees with entry \(record.index)")
            }
            if placementTick(Int(record.index)) != currentTick {
                violations.append("run entry \(record.index) (deadline \(record.deadline)) is not due in the current tick")
            }
        }
        let homed = slab.entries.reduce(0) { $0 + ($1.home == Int32(Self.runList) ? 1 : 0) }
        if homed != live { violations.append("\(homed) entries say they are in the run, \(live) live records name them") }
        return live
    }

    // MARK: - Placement

    /// Tick number of a time: floor division for non-negative times, -1 (the past) for negative ones.
    private func tickNumber(_ time: Int64) -> Int64 {
        time >= 0 ? time / tick : -1
    }

    private func startOfTick(_ tickNumber: Int64) -> Int64 {
        let (product, overflow) = tickNumber.multipliedReportingOverflow(by: tick)
        return overflow ? .max : product
    }

    /// The tick an entry is filed under: its deadline's tick, or the current tick if that is already past.
    private func placementTick(_ index: Int) -> Int64 {
        max(tickNumber(slab.entries[index].deadline), currentTick)
    }

    /// The list a timer due in tick `p` (>= currentTick) belongs on right now.
    private func listFor(tick p: Int64) -> Int {
        let difference = UInt64(bitPattern: p ^ currentTick)
        if difference == 0 { return Int(p & Self.slotMask) }
        let level = (63 - difference.leadingZeroBitCount) / Int(Self.bitsPerLevel)
        if level >= Self.levelCount { return Self.overflowList }
        let slot = Int((p >> (Int64(level) * Self.bitsPerLevel)) & Self.slotMask)
        return level * Self.slotsPerLevel + slot
    }

    private mutating func place(_ index: Int) {
        let deadline = slab.entries[index].deadline
        let p = max(tickNumber(deadline), currentTick)
        let listIndex = listFor(tick: p)
        if listIndex == Self.overflowList {
            overflowBase = min(overflowBase, (p >> Self.wheelBits) << Self.wheelBits)
        } else {
            occupied[listIndex / Self.slotsPerLevel] |= 1 << UInt64(listIndex % Self.slotsPerLevel)
            // Level-0 slot of the current digit: only the current tick itself files there.
            if listIndex == Int(currentTick & Self.slotMask) { listEarliest = min(listEarliest, deadline) }
        }
        let position = slots[listIndex].count
        slots[listIndex].append(Int32(index))
        slab.setHome(index, list: Int32(listIndex), position: Int32(position))
    }

    /// Takes a live entry off its list: the list's last index moves into its place.
    private mutating func unlink(_ index: Int) {
        let entry = slab.entries[index]
        let listIndex = Int(entry.home)
        // A run entry is on no list; its record dies as soon as the caller frees or re-places (re-stamps) it.
        if listIndex == Self.runList { return }
        let position = Int(entry.position)
        let last = slots[listIndex].removeLast()
        if last != Int32(index) {
            slots[listIndex][position] = last
            slab.entries[Int(last)].position = Int32(position)
        }
        if slots[listIndex].isEmpty, listIndex < Self.overflowList {
            occupied[listIndex / Self.slotsPerLevel] &= ~(1 << UInt64(listIndex % Self.slotsPerLevel))
        }
    }

    // MARK: - Advancing

    /// Appends every timer of the current tick with `deadline <= now` to `expired`, in firing order, and frees it.
    ///
    /// Timers filed on the current slot's list since the last drain are read out of the slab once: those already due
    /// are freed at once and merged into this batch; the others are merged into the sorted run. Then the run's due
    /// prefix is popped. When nothing can be due (`now` before both the run's head and `listEarliest`) this is O(1).
    private mutating func drainCurrentTick(now: Int64, into expired: inout [ExpiredTimer]) {
        let slot = Int(currentTick & Self.slotMask)
        let listDue = !slots[slot].isEmpty && listEarliest <= now
        let runDue = runStart < run.count && run[runStart].deadline <= now
        guard listDue || runDue else { return }
        due.removeAll(keepingCapacity: true)
        if listDue { absorbCurrentList(slot, now: now) }

        // Merge the run's due prefix with the list's due records; both are sorted.
        var next = 0
        let dueCount = due.count
        while true {
            let fromRun = runStart < run.count && run[runStart].deadline <= now
            if fromRun, next == dueCount || run[runStart].precedes(due[next]) {
                let record = run[runStart]
                runStart += 1
                if isLive(record) {
                    expired.append(record.expired)
                    slab.free(Int(record.index))
                }
            } else if next < dueCount {
                expired.append(due[next].expired)
                next += 1
            } else {
                break
            }
        }
        // Dead records at the head would make `nextWakeup` early: drop them now that the run is being touched.
        while runStart < run.count, !isLive(run[runStart]) { runStart += 1 }
        if runStart == run.count {
            run.removeAll(keepingCapacity: true)
            runStart = 0
        }
    }

    /// Empties the current slot's list: due entries are freed into `due` (sorted), the others join the run.
    private mutating func absorbCurrentList(_ slot: Int, now: Int64) {
        let list = takeList(slot)
        listEarliest = .max
        later.removeAll(keepingCapacity: true)
        for item in list {
            let index = Int(item)
            let entry = slab.entries[index]
            let record = DueRecord(
                deadline: entry.deadline, sequence: entry.sequence, token: entry.token, index: Int32(index),
                generation: entry.generation)
            if entry.deadline <= now {
                due.append(record)
                slab.free(index)
            } else {
                later.append(record)
                slab.entries[index].home = Int32(Self.runList)
                slab.entries[index].position = -1
            }
        }
        due.withUnsafeMutableBufferPointer { DueRecordSort.sort($0) }
        guard !later.isEmpty else { return }
        later.withUnsafeMutableBufferPointer { DueRecordSort.sort($0) }
        // Spent records ahead of `runStart` are dropped once they are the majority, so the run stays compact.
        if runStart > 0, runStart >= run.count - runStart {
            run.removeSubrange(0..<runStart)
            runStart = 0
        }
        mergeIntoRun(later)
    }

    /// Merges sorted `records` into the sorted run, from the back: only run records after the first new one move.
    private mutating func mergeIntoRun(_ records: [DueRecord]) {
        var i = run.count - 1
        run.append(contentsOf: records)
        var j = records.count - 1
        var k = run.count - 1
        let first = runStart
        run.withUnsafeMutableBufferPointer { run in
            records.withUnsafeBufferPointer { records in
                while j >= 0 {
                    if i >= first, records[j].precedes(run[i]) {
                        run[k] = run[i]
                        i -= 1
                    } else {
                        run[k] = records[j]
                        j -= 1
                    }
                    k -= 1
                }
            }
        }
    }

    /// True while the record's entry is still the one read into the run: not freed, re-placed or re-stamped since.
    @inline(__always)
    private func isLive(_ record: DueRecord) -> Bool {
        let entry = slab.entries[Int(record.index)]
        return entry.home == Int32(Self.runList) && entry.sequence == record.sequence
    }

    /// The first tick after `currentTick` at which something happens: a level-0 slot holds due timers, a
    /// higher-level slot must cascade, or the overflow list must be re-placed. Nil when the wheel is empty.
    ///
    /// The lowest busy level wins: every level-L timer is due after every level-(L-1) timer, because it
    /// differs from the current tick in a higher digit.
    private func nextEventTick() -> Int64? {
        for level in 0..<Self.levelCount {
            let shift = Int64(level) * Self.bitsPerLevel
            let digit = (currentTick >> shift) & Self.slotMask
            // Only slots after the current digit: the current slot was just drained (level 0) or is empty by
            // construction (levels >= 1 never hold the current digit).
            let later = digit == Self.slotMask ? 0 : occupied[level] & (~0 << UInt64(digit + 1))
            if later != 0 {
                let slot = Int64(later.trailingZeroBitCount)
                let blockShift = shift + Self.bitsPerLevel
                return ((currentTick >> blockShift) << blockShift) | (slot << shift)
            }
        }
        if !slots[Self.overflowList].isEmpty { return max(overflowBase, currentTick &+ 1) }
        return nil
    }

    /// Called when `currentTick` has just reached an event: re-places the timers of every slot (and the
    /// overflow list) that starts exactly now. Placement relative to the new tick always lands them in a
    /// lower level or in the current level-0 slot, never back into a slot being cascaded.
    private mutating func cascade() {
        if !slots[Self.overflowList].isEmpty, currentTick >= overflowBase {
            overflowBase = .max
            replaceAll(on: Self.overflowList)
        }
        var level = Self.levelCount - 1
        while level >= 1 {
            let shift = Int64(level) * Self.bitsPerLevel
            if currentTick & ((1 << shift) - 1) == 0 {
                let listIndex = level * Self.slotsPerLevel + Int((currentTick >> shift) & Self.slotMask)
                if !slots[listIndex].isEmpty { replaceAll(on: listIndex) }
            }
            level -= 1
        }
    }

    /// Detaches a whole list and places each of its entries afresh (`place` rewrites `home` and `position`).
    private mutating func replaceAll(on listIndex: Int) {
        for item in takeList(listIndex) { place(Int(item)) }
    }

    /// Empties a list and returns what it held (its entries' `home` and `position` are stale until the caller
    /// re-files them).
    private mutating func takeList(_ listIndex: Int) -> [Int32] {
        var list: [Int32] = []
        swap(&list, &slots[listIndex])
        if listIndex < Self.overflowList {
            occupied[listIndex / Self.slotsPerLevel] &= ~(1 << UInt64(listIndex % Self.slotsPerLevel))
        }
        return list
    }
}
