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

/// The one logger of the process. Cheap when a level is disabled: `enabled(_:)` is one atomic load.
///
/// Never pass a token, password or cookie value as a field: log `CredentialFingerprint` (a short hash) or
/// the JWT `jti` instead.
public final class Logger: Sendable {
    private let sink: any LogSink
    private let state: Mutex<(level: LogLevel, format: LogFormat)>
    private let writeLock = Mutex(())

    public init(level: LogLevel = .info, format: LogFormat = .json, sink: any LogSink = FileDescriptorSink(fd: 1)) {
        self.sink = sink
        self.state = Mutex((level, format))
    }

    /// Applied on reload.
    public func configure(level: LogLevel, format: LogFormat) {
        state.withLock { $0 = (level, format) }
    }

    public func enabled(_ level: LogLevel) -> Bool { state.withLock { level >= $0.level } }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.error, event, fields) }

    public func log(_ level: LogLevel, _ event: String, _ fields: KeyValuePairs<String, LogValue>) {
        let (threshold, format) = state.withLock { ($0.level, $0.format) }
        guard level >= threshold else { return }
        var line: [UInt8] = []
        line.reserveCapacity(160)
        let ts = RFC3339.now()
        switch format {
        case .json:
            line.append(contentsOf: #"{"ts":""#.utf8)
            line.append(contentsOf: ts.utf8)
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
            line.append(contentsOf: ts.utf8)
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
        writeLock.withLock { _ in sink.write(line: line) }
    }
}
