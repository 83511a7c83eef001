/// Bytes accepted from one side that the other side could not take yet. Empty (and holding no memory)
/// in the steady state: the proxy reads into the worker's shared scratch buffer and writes straight through;
/// only a short write leaves a remainder here, and while it is non-empty the source is not read (backpressure).
struct PendingBytes {
    private var storage: [UInt8] = []
    private var offset = 0

    var isEmpty: Bool { offset == storage.count }
    var count: Int { storage.count - offset }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if isEmpty { storage.removeAll(keepingCapacity: false); offset = 0 }
        storage.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Runs `body` over the unsent bytes; `body` returns how many it sent.
    mutating func send(_ body: (UnsafeRawBufferPointer) -> Int) {
        guard !isEmpty else { return }
        let sent = storage.withUnsafeBytes { raw in body(UnsafeRawBufferPointer(rebasing: raw[offset...])) }
        offset += sent
        if isEmpty { clear() }
    }

    /// Drops everything and gives the memory back.
    mutating func clear() {
        storage = []
        offset = 0
    }
}
