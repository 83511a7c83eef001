/// Names one scheduled timer: a slab index plus the generation of that slab entry.
///
/// The generation changes every time the entry is freed (fired or cancelled), so an id kept after its
/// timer is gone is detected as stale instead of silently acting on whatever timer reuses the slot.
public struct TimerID: Hashable, Sendable {
    /// Position of the entry in the owning queue's slab.
    public let index: UInt32
    /// Generation of the slab entry when the timer was scheduled.
    public let generation: UInt32

    @inlinable
    public init(index: UInt32, generation: UInt32) {
        self.index = index
        self.generation = generation
    }
}

/// One timer handed back by `expire(now:into:)`. Its id is already stale when you receive it.
public struct ExpiredTimer: Hashable, Sendable {
    /// The id `schedule` returned (now stale).
    public let id: TimerID
    /// The caller's token given to `schedule`, e.g. a connection index plus a reason code.
    public let token: UInt64
    /// The deadline the timer was due at; always `<=` the `now` of the `expire` call that returned it.
    public let deadline: Int64

    @inlinable
    public init(id: TimerID, token: UInt64, deadline: Int64) {
        self.id = id
        self.token = token
        self.deadline = deadline
    }
}

/// Why `validate()` failed: every broken invariant found, in words.
public struct TimerQueueInvariantError: Error, CustomStringConvertible, Sendable {
    /// One line per violated invariant.
    public let violations: [String]

    public var description: String {
        "timer queue invariants violated:\n" + violations.joined(separator: "\n")
    }
}
