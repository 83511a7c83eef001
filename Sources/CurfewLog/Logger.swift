#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where log lines go. Tests install a recording sink; production writes to a file descriptor.
public protocol LogSink: Sendable {
    func write(line: [UInt8])
}

/// Writes each line with one `write(2)`; the logger's lock keeps lines whole across worker threads.
public struct FileDescriptorSink: LogSink {
    public let fd: Int32
    public init(fd: Int32) { self.fd = fd }
    public func write(line: [UInt8]) {
        line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return  // nowhere left to report a failing log stream
                }
                offset += n
            }
        }
    }
}

/// The process's logger. Cheap when a level is disabled: `enabled(_:)` is one uncontended lock.
///
/// The main thread logs through the root logger, which writes every line at once. Each event-loop worker logs
/// through a `batching()` child that shares the root's level, format and output but holds its lines until the loop
/// is about to wait (`flush()`): a burst of cuts or a stream of REST requests then costs one write(2) per loop turn
/// instead of one per line, and a line is never held while its thread sleeps.
///
/// Never pass a token, password or cookie value as a field: log `CredentialFingerprint` (a short hash) or
/// the JWT `jti` instead.
public final class Logger: Sendable {
    /// What the root and its batching children share.
    private final class Output: Sendable {
        let sink: any LogSink
        let state: Mutex<(level: LogLevel, format: LogFormat)>
        /// Keeps lines (and batches) whole when several threads write.
        let writeLock = Mutex(())
        init(sink: any LogSink, level: LogLevel, format: LogFormat) {
            self.sink = sink
            self.state = Mutex((level, format))
        }
    }

    /// A batching child's held lines. Only its own thread touches them (see `batching()`).
    private final class Batch: @unchecked Sendable {
        var bytes: [UInt8] = []
    }

    /// Past this many held bytes a batch is written at once, so a long burst neither grows memory nor waits long.
    static let batchLimit = 32 * 1024

    private let output: Output
    private let batch: Batch?

    public init(level: LogLevel = .info, format: LogFormat = .json, sink: any LogSink = FileDescriptorSink(fd: 1)) {
        output = Output(sink: sink, level: level, format: format)
        batch = nil
    }

    private init(output: Output, batch: Batch) {
        self.output = output
        self.batch = batch
    }

    /// A logger for one event-loop thread: same level, format and output as this one, lines held until `flush()`.
    /// Only that thread may use it, and it must call `flush()` before it blocks.
    public func batching() -> Logger { Logger(output: output, batch: Batch()) }

    /// Writes the held lines (a batching logger's); nothing to do for the root logger.
    public func flush() {
        guard let batch, !batch.bytes.isEmpty else { return }
        output.writeLock.withLock { _ in output.sink.write(line: batch.bytes) }
        batch.bytes.removeAll(keepingCapacity: batch.bytes.capacity <= Self.batchLimit * 2)
    }

    /// Applied on reload; batching children follow at once.
    public func configure(level: LogLevel, format: LogFormat) {
        output.state.withLock { $0 = (level, format) }
    }

    public func enabled(_ level: LogLevel) -> Bool { output.state.withLock { level >= $0.level } }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.error, event, fields) }

    public func log(_ level: LogLevel, _ event: String, _ fields: KeyValuePairs<String, LogValue>) {
        let (threshold, format) = output.state.withLock { ($0.level, $0.format) }
        guard level >= threshold else { return }
        var line: [UInt8] = []
        line.reserveCapacity(160)
        let ts = RFC3339.nowMilliseconds()
        switch format {
        case .json:
            line.append(contentsOf: #"{"ts":""#.utf8)
            RFC3339.append(milliseconds: ts, to: &line)
            line.append(contentsOf: #"","level":""#.utf8)
            line.append(contentsOf: level.name.utf8)
            line.append(contentsOf: #"","event":"#.utf8)
            JSONText.appendString(event, to: &line)
            for (key, value) in fields {
                line.append(UInt8(ascii: ","))
                JSONText.appendString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                JSONText.appendValue(value, to: &line)
            }
            line.append(contentsOf: "}\n".utf8)
        case .text:
            RFC3339.append(milliseconds: ts, to: &line)
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: level.name.utf8)
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: event.utf8)
            for (key, value) in fields {
                line.append(UInt8(ascii: " "))
                line.append(contentsOf: key.utf8)
                line.append(UInt8(ascii: "="))
                switch value {
                case .string(let s):
                    if s.utf8.contains(where: { $0 == 0x20 || $0 == 0x22 || $0 < 0x20 }) {
                        JSONText.appendString(s, to: &line)
                    } else {
                        line.append(contentsOf: s.utf8)
                    }
                default: JSONText.appendValue(value, to: &line)
                }
            }
            line.append(UInt8(ascii: "\n"))
        }
        if let batch {
            batch.bytes.append(contentsOf: line)
            if batch.bytes.count >= Self.batchLimit { flush() }
            return
        }
        output.writeLock.withLock { _ in output.sink.write(line: line) }
    }
}
