/// What curfew knows about Sync Gateway sessions, keyed by session id: bounded, least-recently-used eviction.
///
/// SG cannot tell us a session's expiry after creation, and the expiry slides (sg-facts §1.2-1.3), so curfew keeps
/// its own: from `POST /{db}/_session` responses and from `Set-Cookie` on relayed responses. Session ids also
/// arrive in cookies from anyone on the internet, so the table is bounded: a flood of bogus ids evicts the least
/// recently used records instead of growing memory, and `shouldCheck` lets each id (bogus or not) cost at most one
/// SG call per interval. The price of the bound: under such a flood, real records may be evicted too; curfew then
/// falls back to asking SG and to `session.max_age`, and open connections keep the deadline they already hold.
///
/// Layout: a dictionary from id to slot index, and the slots in one array linked into a doubly linked recency list
/// by indices (no class per node, no per-operation allocation once warm). Freed slots are reused via a free list.
/// Every operation is O(1) except `sessions(ofUser:db:)`, which scans all records (O(n)).
///
/// Not thread-safe: it is a value type with mutating methods; the runtime confines it to one thread or wraps it
/// in a lock. Times are Unix milliseconds passed in by the caller.
public struct SessionTable: Sendable {
    /// What SG said about a session.
    public enum State: Sendable, Equatable {
        /// Never confirmed by SG (e.g. an id seen only in a cookie, or only reserved for a check).
        case unknown
        /// SG created it or confirmed it.
        case valid
        /// SG deleted it, or answered 404 for it.
        case deleted
    }

    /// What curfew knows about one session.
    public struct Record: Sendable, Equatable {
        /// The database the session belongs to, when known.
        public var db: String?
        /// The session's user, when known.
        public var user: String?
        /// When the session expires (Unix ms), when known. At or after this instant the record is gone.
        public var expiresAt: Int64?
        /// When curfew first saw this id (Unix ms).
        public var firstSeen: Int64
        /// When curfew last asked SG about it (or reserved the right to), if ever.
        public var lastChecked: Int64?
        /// When SG last answered that the session is valid, if ever. Not `lastChecked`: that one is also set by
        /// a reservation whose check may still be in flight or may fail, and a handshake must not take an
        /// unanswered (or failed) question for SG's word.
        public var lastConfirmed: Int64?
        /// What SG said.
        public var state: State

        /// Creates a record.
        public init(
            db: String? = nil, user: String? = nil, expiresAt: Int64? = nil, firstSeen: Int64,
            lastChecked: Int64? = nil, lastConfirmed: Int64? = nil, state: State = .unknown
        ) {
            self.db = db
            self.user = user
            self.expiresAt = expiresAt
            self.firstSeen = firstSeen
            self.lastChecked = lastChecked
            self.lastConfirmed = lastConfirmed
            self.state = state
        }

        /// Whether the session has expired at `now` (the expiry instant itself counts as expired).
        public func isExpired(at now: Int64) -> Bool {
            guard let expiresAt else { return false }
            return expiresAt <= now
        }
    }

    private struct Slot {
        var id: String
        var record: Record
        /// Toward the most recently used end, or `none`.
        var newer: Int
        /// Toward the least recently used end, or `none`; for a free slot, the next free slot.
        var older: Int
    }

    private static let none = -1

    /// The most records the table holds.
    public let capacity: Int
    private var slots: [Slot] = []
    private var index: [String: Int] = [:]
    private var newest = SessionTable.none
    private var oldest = SessionTable.none
    private var freeList = SessionTable.none

    /// The number of records held (never more than `capacity`).
    public var count: Int { index.count }

    /// Creates an empty table.
    /// - Parameter capacity: the most records held; must be at least 1. Memory grows with use up to this bound.
    public init(capacity: Int) {
        precondition(capacity >= 1, "SessionTable capacity must be at least 1")
        self.capacity = capacity
    }

    // MARK: - Reading

    /// The record for `id`, marking it most recently used; an expired record is removed and nil returned.
    public mutating func lookup(_ id: String, now: Int64) -> Record? {
        guard let slot = index[id] else { return nil }
        if slots[slot].record.isExpired(at: now) {
            removeSlot(slot)
            return nil
        }
        moveToNewest(slot)
        return slots[slot].record
    }

    /// The record for `id` as stored, without marking it used and without expiring it (for inspection).
    public func peek(_ id: String) -> Record? {
        index[id].map { slots[$0].record }
    }

    /// The ids of the sessions recorded for a user of a database (exact match on both; records whose user or
    /// database is unknown are not included). O(n) in the number of records: it runs only on admin calls.
    public func sessions(ofUser user: String, db: String?) -> [String] {
        var result: [String] = []
        var slot = newest
        while slot != SessionTable.none {
            let record = slots[slot].record
            if record.user == user, record.db == db { result.append(slots[slot].id) }
            slot = slots[slot].older
        }
        return result
    }

    // MARK: - Writing

    /// Inserts or updates a record and marks it most recently used (evicting the least recently used one if a
    /// new record does not fit).
    ///
    /// A new record starts with `firstSeen = now` and state `.unknown` unless `state` is given. On an existing
    /// record, only the fields passed non-nil change; `firstSeen` never does.
    public mutating func upsert(
        id: String, db: String? = nil, user: String? = nil, expiresAt: Int64? = nil, state: State? = nil, now: Int64
    ) {
        let slot = index[id] ?? insert(id: id, record: Record(firstSeen: now))
        if let db { slots[slot].record.db = db }
        if let user { slots[slot].record.user = user }
        if let expiresAt { slots[slot].record.expiresAt = expiresAt }
        if let state { slots[slot].record.state = state }
        moveToNewest(slot)
    }

    /// Records a new expiry for a known session (from `Set-Cookie`), marking it used.
    /// - Returns: false when the id is not in the table (nothing is inserted: the caller decides whether a cookie
    ///   from SG deserves a record, with `upsert`).
    @discardableResult
    public mutating func learnExpiry(id: String, expiresAt: Int64) -> Bool {
        guard let slot = index[id] else { return false }
        slots[slot].record.expiresAt = expiresAt
        moveToNewest(slot)
        return true
    }

    /// Records SG's answer about a session (inserting the id if absent).
    ///
    /// `valid: false` marks it `.deleted`. `valid: true` marks it `.valid` (and sets `lastConfirmed`), and drops a
    /// stored expiry that is already past at `at`: SG just vouched for the session, so that expiry was stale (it slid
    /// while we did not see the `Set-Cookie`).
    public mutating func markChecked(id: String, at: Int64, valid: Bool) {
        let slot = index[id] ?? insert(id: id, record: Record(firstSeen: at))
        slots[slot].record.lastChecked = at
        slots[slot].record.lastConfirmed = valid ? at : nil
        slots[slot].record.state = valid ? .valid : .deleted
        if valid, slots[slot].record.isExpired(at: at) { slots[slot].record.expiresAt = nil }
        moveToNewest(slot)
    }

    /// Whether the caller may ask SG about `id` now; at most once per `interval` for each id, known or not.
    ///
    /// Answering true reserves the check: `lastChecked` becomes `now` (an unknown id gets an `.unknown` record,
    /// which is what bounds a flood of bogus cookies to one SG call per id per interval and to `capacity` records).
    /// An expired record is replaced by a fresh unknown one. Either way the id is marked used.
    /// - Parameter interval: milliseconds between checks of the same id.
    public mutating func shouldCheck(id: String, now: Int64, interval: Int64) -> Bool {
        if let slot = index[id] {
            if slots[slot].record.isExpired(at: now) {
                removeSlot(slot)
            } else {
                moveToNewest(slot)
                if let last = slots[slot].record.lastChecked, now - last < interval { return false }
                slots[slot].record.lastChecked = now
                return true
            }
        }
        let slot = insert(id: id, record: Record(firstSeen: now, lastChecked: now))
        moveToNewest(slot)
        return true
    }

    /// Marks `id` most recently used. Returns false when it is not in the table.
    @discardableResult
    public mutating func touch(_ id: String) -> Bool {
        guard let slot = index[id] else { return false }
        moveToNewest(slot)
        return true
    }

    /// Removes `id`, returning its record if it was present.
    @discardableResult
    public mutating func remove(_ id: String) -> Record? {
        guard let slot = index[id] else { return nil }
        let record = slots[slot].record
        removeSlot(slot)
        return record
    }

    // MARK: - Checking

    /// Checks that the dictionary and the recency list agree: every slot in the list is indexed under its id,
    /// links are symmetric, the list and the free list together cover every slot exactly once, and
    /// `count <= capacity`. For tests; O(n).
    public func validate() -> Bool {
        guard count <= capacity, slots.count <= capacity else { return false }
        var seen = [Bool](repeating: false, count: slots.count)
        var listed = 0
        var previous = SessionTable.none
        var slot = newest
        while slot != SessionTable.none {
            guard slot >= 0, slot < slots.count, !seen[slot], slots[slot].newer == previous,
                index[slots[slot].id] == slot
            else { return false }
            seen[slot] = true
            listed += 1
            previous = slot
            slot = slots[slot].older
        }
        guard previous == oldest, listed == index.count else { return false }
        var free = freeList
        while free != SessionTable.none {
            guard free >= 0, free < slots.count, !seen[free] else { return false }
            seen[free] = true
            free = slots[free].older
        }
        return !seen.contains(false)
    }

    /// The ids from most to least recently used (for tests and debugging).
    func idsFromNewest() -> [String] {
        var result: [String] = []
        var slot = newest
        while slot != SessionTable.none {
            result.append(slots[slot].id)
            slot = slots[slot].older
        }
        return result
    }

    // MARK: - List plumbing

    /// Puts a new record in a slot (evicting the least recently used record if full), linked as newest.
    private mutating func insert(id: String, record: Record) -> Int {
        if index.count >= capacity, oldest != SessionTable.none {
            removeSlot(oldest)
        }
        let slot: Int
        let fresh = Slot(id: id, record: record, newer: SessionTable.none, older: newest)
        if freeList != SessionTable.none {
            slot = freeList
            freeList = slots[slot].older
            slots[slot] = fresh
        } else {
            slot = slots.count
            slots.append(fresh)
        }
        if newest != SessionTable.none { slots[newest].newer = slot }
        newest = slot
        if oldest == SessionTable.none { oldest = slot }
        index[id] = slot
        return slot
    }

    private mutating func moveToNewest(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        slots[slot].newer = SessionTable.none
        slots[slot].older = newest
        if newest != SessionTable.none { slots[newest].newer = slot }
        newest = slot
        if oldest == SessionTable.none { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let newer = slots[slot].newer
        let older = slots[slot].older
        if newer != SessionTable.none { slots[newer].older = older } else { newest = older }
        if older != SessionTable.none { slots[older].newer = newer } else { oldest = newer }
    }

    private mutating func removeSlot(_ slot: Int) {
        unlink(slot)
        index[slots[slot].id] = nil
        // Drop the strings now rather than when the slot is reused.
        slots[slot] = Slot(
            id: "", record: Record(firstSeen: 0), newer: SessionTable.none, older: freeList)
        freeList = slot
    }
}
