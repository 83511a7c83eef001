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
/// Entries live in a slab (`TimerSlab`, plain 40-byte values, no object per timer) threaded on intrusive
/// doubly linked slot lists, with a 64-bit occupancy bitmap per level, so finding the next busy slot is one `trailingZeroBitCount`, and
/// nothing is allocated per schedule once the slab has grown to its peak.
///
/// Not thread-safe by design: one wheel per worker thread.
public struct TimerWheel: TimerQueue, Sendable {
    /// Slots per level (one 6-bit digit of the tick number).
    public static let slotsPerLevel = 64
    /// Number of levels. 64^6 ticks >= 400 days at a 1 ms tick, as required.
    public static let levelCount = 6

    private static let bitsPerLevel: Int64 = 6
    private static let slotMask: Int64 = 63
    /// Index of the overflow list in `heads`, after the level slots.
    private static let overflowList = levelCount * slotsPerLevel
    /// Ticks spanned by the whole wheel: timers whose tick differs from the current tick above these bits
    /// sit in the overflow list.
    private static let wheelBits = bitsPerLevel * Int64(levelCount)

    /// Length of one tick in nanoseconds.
    public let tick: Int64
    /// The tick the wheel was last advanced to. Every live timer is placed relative to it.
    private var currentTick: Int64

    /// Entries; an entry's `home` is its list (level * 64 + slot, or `overflowList`).
    private var slab = TimerSlab()
    private var heads: [Int32]
    private var occupied: [UInt64]
    /// Lowest wheel-span base among overflow timers: when the current tick reaches it, the overflow list is
    /// re-placed. May be stale-low after a cancel, which only costs one early re-placement.
    private var overflowBase: Int64 = .max
    /// Scratch for one `expire` batch, kept to avoid allocating per call.
    private var firing: [Int32] = []

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
        self.heads = [Int32](repeating: -1, count: Self.overflowList + 1)
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
        var batch: [Int32] = []
        swap(&batch, &firing)
        while true {
            drainCurrentSlot(now: now, into: &batch)
            if currentTick == target { break }
            guard let event = nextEventTick(), event <= target else {
                // Nothing is due or needs cascading up to `target`: every timer stays valid where it is.
                currentTick = target
                break
            }
            currentTick = event
            cascade()
        }
        if !batch.isEmpty {
            if batch.count > 1 {
                let slab = self.slab
                batch.sort { slab.firesBefore(Int($0), Int($1)) }
            }
            expired.reserveCapacity(expired.count + batch.count)
            for entry in batch {
                let index = Int(entry)
                expired.append(slab.expired(at: index))
                slab.free(index)
            }
            batch.removeAll(keepingCapacity: true)
        }
        swap(&batch, &firing)
    }

    public func nextWakeup() -> Int64? {
        guard slab.liveCount > 0 else { return nil }
        var cursor = heads[Int(currentTick & Self.slotMask)]
        if cursor >= 0 {
            // The current tick's slot holds timers due later in this tick, or scheduled in the past since the
            // last `expire`. It is one tick's worth of timers: scanning it for the exact earliest is cheap,
            // and rounding would either spin (tick start) or be late (tick end) for a past deadline.
            var earliest = Int64.max
            while cursor >= 0 {
                earliest = min(earliest, slab.entries[Int(cursor)].deadline)
                cursor = slab.entries[Int(cursor)].next
            }
            return earliest
        }
        guard let event = nextEventTick() else { return nil }
        // A level-0 event is the tick the earliest timer is due in; a higher-level or overflow event is
        // the start of a cascade, which is early, never late.
        return startOfTick(event)
    }

    public func validate() throws {
        var violations = slab.freeListViolations()
        var listed = 0
        for listIndex in heads.indices {
            var cursor = heads[listIndex]
            var previous: Int32 = -1
            var length = 0
            while cursor >= 0 {
                let index = Int(cursor)
                let entry = slab.entries[index]
                if !entry.isLive { violations.append("free entry \(index) on list \(listIndex)") }
                if entry.home != Int32(listIndex) {
                    violations.append("entry \(index) on list \(listIndex) says it is on \(entry.home)")
                }
                if entry.prev != previous { violations.append("entry \(index) has a broken prev link") }
                let expected = listFor(tick: placementTick(index))
                if expected != listIndex {
                    violations.append(
                        "entry \(index) (deadline \(entry.deadline)) is on list \(listIndex), belongs on \(expected)")
                }
                if listIndex == Self.overflowList, overflowBase > placementTick(index) {
                    violations.append("overflow base \(overflowBase) is after overflow entry \(index)")
                }
                length += 1
                if length > slab.capacity {
                    violations.append("list \(listIndex) has a cycle")
                    break
                }
                previous = cursor
                cursor = entry.next
            }
            listed += length
            if listIndex < Self.overflowList {
                let level = listIndex / Self.slotsPerLevel
                let bit = (occupied[level] >> UInt64(listIndex % Self.slotsPerLevel)) & 1
                if (bit == 1) != (length > 0) { violations.append("occupancy bit of list \(listIndex) is wrong") }
            }
        }
        if listed != slab.liveCount { violations.append("lists hold \(listed) entries, \(slab.liveCount) are live") }
        if !violations.isEmpty { throw TimerQueueInvariantError(violations: violations) }
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
        let p = placementTick(index)
        let listIndex = listFor(tick: p)
        if listIndex == Self.overflowList {
            overflowBase = min(overflowBase, (p >> Self.wheelBits) << Self.wheelBits)
        } else {
            occupied[listIndex / Self.slotsPerLevel] |= 1 << UInt64(listIndex % Self.slotsPerLevel)
        }
        let head = heads[listIndex]
        slab.entries[index].next = head
        slab.entries[index].prev = -1
        slab.entries[index].home = Int32(listIndex)
        if head >= 0 { slab.entries[Int(head)].prev = Int32(index) }
        heads[listIndex] = Int32(index)
    }

    private mutating func unlink(_ index: Int) {
        let entry = slab.entries[index]
        let listIndex = Int(entry.home)
        let after = entry.next
        let before = entry.prev
        if before >= 0 {
            slab.entries[Int(before)].next = after
        } else {
            heads[listIndex] = after
            if after < 0, listIndex < Self.overflowList {
                occupied[listIndex / Self.slotsPerLevel] &= ~(1 << UInt64(listIndex % Self.slotsPerLevel))
            }
        }
        if after >= 0 { slab.entries[Int(after)].prev = before }
    }

    // MARK: - Advancing

    /// Moves every timer of the current tick's slot with `deadline <= now` into `batch`. The rest (due later
    /// in this same tick) stay put.
    private mutating func drainCurrentSlot(now: Int64, into batch: inout [Int32]) {
        var cursor = heads[Int(currentTick & Self.slotMask)]
        while cursor >= 0 {
            let index = Int(cursor)
            cursor = slab.entries[index].next
            if slab.entries[index].deadline <= now {
                unlink(index)
                batch.append(Int32(index))
            }
        }
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
        if heads[Self.overflowList] >= 0 { return max(overflowBase, currentTick &+ 1) }
        return nil
    }

    /// Called when `currentTick` has just reached an event: re-places the timers of every slot (and the
    /// overflow list) that starts exactly now. Placement relative to the new tick always lands them in a
    /// lower level or in the current level-0 slot, never back into a slot being cascaded.
    private mutating func cascade() {
        if heads[Self.overflowList] >= 0, currentTick >= overflowBase {
            overflowBase = .max
            replaceAll(on: Self.overflowList)
        }
        var level = Self.levelCount - 1
        while level >= 1 {
            let shift = Int64(level) * Self.bitsPerLevel
            if currentTick & ((1 << shift) - 1) == 0 {
                let listIndex = level * Self.slotsPerLevel + Int((currentTick >> shift) & Self.slotMask)
                if heads[listIndex] >= 0 { replaceAll(on: listIndex) }
            }
            level -= 1
        }
    }

    private mutating func replaceAll(on listIndex: Int) {
        var cursor = heads[listIndex]
        while cursor >= 0 {
            let index = Int(cursor)
            cursor = slab.entries[index].next
            unlink(index)
            place(index)
        }
    }
}
