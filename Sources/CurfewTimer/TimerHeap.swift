/// A plain binary min-heap of timers with the same API as `TimerWheel`.
///
/// It is deliberately the obvious implementation: O(log n) schedule, cancel and reschedule (each entry's
/// heap position is tracked so cancel does not search), exact `nextWakeup`. It exists as the **oracle** in
/// the wheel's tests and as the **baseline** the wheel is benchmarked against; production code uses
/// `TimerWheel`.
public struct TimerHeap: TimerQueue, Sendable {
    private var slab = TimerSlab()
    /// Slab indices in heap order, ordered by (deadline, sequence).
    private var heap: [Int32] = []
    /// Each slab entry's position in `heap`, -1 when free.
    private var positions: [Int32] = []

    /// An empty heap. It needs neither a tick nor a start time; they are accepted for drop-in symmetry with
    /// `TimerWheel` and ignored.
    public init(tick: Int64 = 1, now: Int64 = 0) {}

    public var count: Int { slab.liveCount }

    public mutating func schedule(at deadline: Int64, token: UInt64) -> TimerID {
        let index = slab.allocate(deadline: deadline, token: token)
        slab.entries[index].home = 0
        if index == positions.count { positions.append(-1) }
        positions[index] = Int32(heap.count)
        heap.append(Int32(index))
        siftUp(heap.count - 1)
        return slab.id(at: index)
    }

    @discardableResult
    public mutating func cancel(_ id: TimerID) -> Bool {
        guard let index = slab.index(of: id) else { return false }
        remove(at: Int(positions[index]))
        slab.free(index)
        return true
    }

    @discardableResult
    public mutating func reschedule(_ id: TimerID, at deadline: Int64) -> Bool {
        guard let index = slab.index(of: id) else { return false }
        slab.restamp(index, deadline: deadline)
        let position = Int(positions[index])
        siftUp(position)
        siftDown(Int(positions[index]))
        return true
    }

    public func deadline(of id: TimerID) -> Int64? {
        slab.index(of: id).map { slab.entries[$0].deadline }
    }

    public mutating func expire(now: Int64, into expired: inout [ExpiredTimer]) {
        while let top = heap.first, slab.entries[Int(top)].deadline <= now {
            let index = Int(top)
            expired.append(slab.expired(at: index))
            remove(at: 0)
            slab.free(index)
        }
    }

    public func nextWakeup() -> Int64? {
        heap.first.map { slab.entries[Int($0)].deadline }
    }

    public func validate() throws {
        var violations = slab.freeListViolations()
        if heap.count != slab.liveCount { violations.append("heap holds \(heap.count), live count \(slab.liveCount)") }
        for (position, entry) in heap.enumerated() {
            let index = Int(entry)
            if !slab.entries[index].isLive { violations.append("free entry \(index) in heap") }
            if positions[index] != Int32(position) { violations.append("entry \(index) position out of date") }
            if position > 0, slab.firesBefore(index, Int(heap[(position - 1) / 2])) {
                violations.append("heap order broken at \(position)")
            }
        }
        if !violations.isEmpty { throw TimerQueueInvariantError(violations: violations) }
    }

    // MARK: - Heap mechanics

    private mutating func remove(at position: Int) {
        let removed = Int(heap[position])
        let last = heap.removeLast()
        positions[removed] = -1
        guard position < heap.count else { return }
        heap[position] = last
        positions[Int(last)] = Int32(position)
        siftUp(position)
        siftDown(Int(positions[Int(last)]))
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let entry = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard slab.firesBefore(Int(entry), Int(heap[parent])) else { break }
            heap[child] = heap[parent]
            positions[Int(heap[child])] = Int32(child)
            child = parent
        }
        heap[child] = entry
        positions[Int(entry)] = Int32(child)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let entry = heap[parent]
        let count = heap.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count, slab.firesBefore(Int(heap[child + 1]), Int(heap[child])) { child += 1 }
            guard slab.firesBefore(Int(heap[child]), Int(entry)) else { break }
            heap[parent] = heap[child]
            positions[Int(heap[parent])] = Int32(parent)
            parent = child
        }
        heap[parent] = entry
        positions[Int(entry)] = Int32(parent)
    }
}
