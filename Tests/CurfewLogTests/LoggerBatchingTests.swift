import Synchronization
import Testing

@testable import CurfewLog

/// Records every write as it happens, so the tests see how many write(2) calls the logger would make.
final class RecordingSink: LogSink {
    private let writes = Mutex<[[UInt8]]>([])
    func write(line: [UInt8]) { writes.withLock { $0.append(line) } }
    var count: Int { writes.withLock { $0.count } }
    var text: String { writes.withLock { String(decoding: $0.joined(), as: UTF8.self) } }
}

@Suite struct LoggerBatchingTests {
    @Test func rootLoggerWritesEachLineAtOnce() {
        let sink = RecordingSink()
        let logger = Logger(sink: sink)
        logger.info("one", ["n": .integer(1)])
        logger.info("two", [:])
        #expect(sink.count == 2)
    }

    @Test func batchingLoggerHoldsLinesUntilFlushAndWritesThemTogether() {
        let sink = RecordingSink()
        let worker = Logger(sink: sink).batching()
        worker.info("cut", ["conn": .integer(1)])
        worker.info("cut", ["conn": .integer(2)])
        #expect(sink.count == 0)
        worker.flush()
        #expect(sink.count == 1)
        let lines = sink.text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""conn":1"#) && lines[1].contains(#""conn":2"#))
        worker.flush()
        #expect(sink.count == 1, "an empty batch writes nothing")
    }

    @Test func batchingFollowsTheRootsLevelAndFormat() {
        let sink = RecordingSink()
        let root = Logger(level: .info, sink: sink)
        let worker = root.batching()
        root.configure(level: .warning, format: .text)
        worker.info("hidden", [:])
        worker.warning("shown", ["k": "v"])
        worker.flush()
        #expect(!sink.text.contains("hidden"))
        #expect(sink.text.contains("warning shown k=v"))
    }

    @Test func aLongBurstIsWrittenOnceItPassesTheLimit() {
        let sink = RecordingSink()
        let worker = Logger(sink: sink).batching()
        let filler = String(repeating: "x", count: 1000)
        var logged = 0
        while sink.count == 0 {
            worker.info("burst", ["pad": .string(filler)])
            logged += 1
            #expect(logged * 1000 <= Logger.batchLimit + 2000, "the batch must not grow past its limit")
            if logged > 1000 { break }
        }
        #expect(sink.count == 1)
        worker.flush()
        #expect(sink.text.split(separator: "\n").count == logged)
    }
}
