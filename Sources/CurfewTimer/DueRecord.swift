/// A timer of the wheel's current tick, read out of the slab once: everything needed to order it (deadline, then
/// schedule sequence) and to hand it back (`ExpiredTimer`) without reading its slab entry again.
///
/// 32 bytes, so sorting a tick's worth of them moves compact values instead of chasing slab entries (with a million
/// timers every slab entry is a cache miss; a comparator that reads the slab misses twice per comparison).
struct DueRecord: Sendable {
    var deadline: Int64
    var sequence: UInt64
    var token: UInt64
    var index: Int32
    var generation: UInt32

    /// Firing order: deadline, then schedule order. Sequences are unique, so this is a strict total order.
    @inline(__always)
    func precedes(_ other: DueRecord) -> Bool {
        deadline < other.deadline || (deadline == other.deadline && sequence < other.sequence)
    }

    var expired: ExpiredTimer {
        ExpiredTimer(id: TimerID(index: UInt32(index), generation: generation), token: token, deadline: deadline)
    }
}

/// An in-place, allocation-free sort of `DueRecord`s by `precedes`: introsort (median-of-three quicksort, heapsort
/// past a depth limit, insertion sort for short ranges), with an O(n) exit for input that is already sorted.
///
/// Not stable, and it need not be: `precedes` never ties. The standard library's `sort` is a stable merge sort that
/// allocates a scratch buffer of half the input on every call, which for a large batch is an mmap and fresh pages.
enum DueRecordSort {
    static let insertionThreshold = 16

    static func sort(_ records: UnsafeMutableBufferPointer<DueRecord>) {
        let count = records.count
        guard count > 1, let base = records.baseAddress else { return }
        var i = 1
        while i < count, !base[i].precedes(base[i - 1]) { i += 1 }
        if i == count { return }
        let depthLimit = 2 * (Int.bitWidth - count.leadingZeroBitCount)
        introsort(base, 0, count, depthLimit)
    }

    /// Sorts `[low, high)`.
    private static func introsort(_ a: UnsafeMutablePointer<DueRecord>, _ low: Int, _ high: Int, _ depthLimit: Int) {
        var low = low
        var high = high
        var depth = depthLimit
        while high - low > insertionThreshold {
            if depth == 0 {
                heapsort(a, low, high)
                return
            }
            depth -= 1
            let mid = low + (high - low) / 2
            // Median of three: afterwards a[low] <= a[mid] <= a[high - 1], which also bounds both scans below.
            if a[mid].precedes(a[low]) { swapAt(a, mid, low) }
            if a[high - 1].precedes(a[mid]) {
                swapAt(a, high - 1, mid)
                if a[mid].precedes(a[low]) { swapAt(a, mid, low) }
            }
            let pivot = a[mid]
            // Hoare partition: [low, j] <= pivot <= [j + 1, high). `mid < high - 1`, so both sides are non-empty.
            var i = low - 1
            var j = high
            while true {
                repeat { i += 1 } while a[i].precedes(pivot)
                repeat { j -= 1 } while pivot.precedes(a[j])
                if i >= j { break }
                swapAt(a, i, j)
            }
            // Recurse into the smaller side, loop on the larger: the stack stays O(log n).
            if j + 1 - low < high - (j + 1) {
                introsort(a, low, j + 1, depth)
                low = j + 1
            } else {
                introsort(a, j + 1, high, depth)
                high = j + 1
            }
        }
        insertionSort(a, low, high)
    }

    private static func insertionSort(_ a: UnsafeMutablePointer<DueRecord>, _ low: Int, _ high: Int) {
        guard high - low > 1 else { return }
        for i in (low + 1)..<high {
            let value = a[i]
            var j = i
            while j > low, value.precedes(a[j - 1]) {
                a[j] = a[j - 1]
                j -= 1
            }
            a[j] = value
        }
    }

    private static func heapsort(_ a: UnsafeMutablePointer<DueRecord>, _ low: Int, _ high: Int) {
        let heap = a + low
        let count = high - low
        var start = count / 2
        while start > 0 {
            start -= 1
            siftDown(heap, start, count)
        }
        var end = count
        while end > 1 {
            end -= 1
            swapAt(heap, 0, end)
            siftDown(heap, 0, end)
        }
    }

    /// Max-heap sift-down of `heap[root]` within `heap[0..<count]`.
    private static func siftDown(_ heap: UnsafeMutablePointer<DueRecord>, _ root: Int, _ count: Int) {
        var parent = root
        let value = heap[parent]
        while true {
            var child = 2 * parent + 1
            if child >= count { break }
            if child + 1 < count, heap[child].precedes(heap[child + 1]) { child += 1 }
            if !value.precedes(heap[child]) { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = value
    }

    @inline(__always)
    private static func swapAt(_ a: UnsafeMutablePointer<DueRecord>, _ i: Int, _ j: Int) {
        let t = a[i]
        a[i] = a[j]
        a[j] = t
    }
}
