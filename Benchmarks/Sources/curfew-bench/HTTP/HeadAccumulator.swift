/// Collects one HTTP head from a byte stream. When the whole head is in the current read (the usual case) it is
/// handed over in place, with no copy; only a head split across reads is copied into `partial`, which is released
/// afterwards so an idle connection keeps nothing.
struct HeadAccumulator {
    enum Outcome<R> {
        /// The head was complete; `pos` now points just past it.
        case head(R)
        /// Every byte from `pos` was taken; feed more.
        case needMore
        /// Longer than `limit` without ending.
        case tooLarge
    }

    private var partial: [UInt8] = []

    var isEmpty: Bool { partial.isEmpty }

    mutating func feed<R>(
        _ buf: UnsafeRawBufferPointer, _ pos: inout Int, limit: Int, _ body: (HeadView) -> R
    ) -> Outcome<R> {
        let chunk = UnsafeRawBufferPointer(rebasing: buf[pos...])
        if partial.isEmpty {
            if let end = HeadView.endOfHead(chunk, from: 0) {
                pos += end
                return .head(body(HeadView(bytes: UnsafeRawBufferPointer(rebasing: chunk[..<end]))))
            }
            guard chunk.count <= limit else { return .tooLarge }
            partial.append(contentsOf: chunk)
            pos = buf.count
            return .needMore
        }
        let searchFrom = partial.count - 3
        let before = partial.count
        // Take at most what could still belong to the head, then give back what follows its end.
        let take = Swift.min(chunk.count, limit + 1 - before)
        guard take > 0 else { return .tooLarge }
        partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<take]))
        let found = partial.withUnsafeBytes { HeadView.endOfHead($0, from: searchFrom) }
        guard let end = found else {
            if partial.count > limit { return .tooLarge }
            pos += take
            return .needMore
        }
        pos += end - before
        let result = partial.withUnsafeBytes { body(HeadView(bytes: UnsafeRawBufferPointer(rebasing: $0[..<end]))) }
        partial = []
        return .head(result)
    }

    mutating func reset() { partial = [] }
}
