#if canImport(Glibc)
import Glibc
#endif

/// Bytes waiting for a socket that was full: a growable FIFO in one malloc'd block.
///
/// Connections create one only when a write was short or output must be ordered behind a pending write, so an
/// idle connection holds no buffer at all. A class so the block is freed in `deinit`, whoever drops it.
final class ByteQueue {
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0
    private var head = 0
    private var tail = 0

    init() {}
    deinit { free(base) }

    var count: Int { tail - head }
    var isEmpty: Bool { tail == head }

    /// The bytes to write next.
    var readable: UnsafeRawBufferPointer {
        guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + head, count: tail - head)
    }

    func consume(_ n: Int) {
        head += n
        if head == tail {
            head = 0
            tail = 0
        }
    }

    /// Room for `n` more bytes at the tail; fill it, then `commit`. Compacts or grows as needed.
    func reserve(_ n: Int) -> UnsafeMutableRawPointer {
        if capacity - tail < n {
            let live = tail - head
            if live + n <= capacity, let base {
                memmove(base, base + head, live)
            } else {
                var newCapacity = Swift.max(capacity * 2, 4096)
                while newCapacity < live + n { newCapacity *= 2 }
                guard let grown = malloc(newCapacity) else { fatalError("out of memory (\(newCapacity) bytes)") }
                if let base {
                    memcpy(grown, base + head, live)
                    free(base)
                }
                base = grown
                capacity = newCapacity
            }
            head = 0
            tail = live
        }
        return base! + tail
    }

    func commit(_ n: Int) { tail += n }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        let dst = reserve(bytes.count)
        memcpy(dst, src, bytes.count)
        commit(bytes.count)
    }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }
}
