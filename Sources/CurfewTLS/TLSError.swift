internal import COpenSSL

/// A TLS, certificate or key-set failure, as one log-ready line.
///
/// `message` says what failed in curfew's words (naming the file where there is one); `openSSLErrors` is the
/// OpenSSL error queue drained at the point of failure (oldest first), kept short so the line stays readable.
public struct TLSError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, coarsely, so callers can choose a log level or a counter without parsing text.
    public enum Kind: Sendable, Equatable {
        /// Certificates, keys, CA files, ALPN lists: a startup problem for the operator.
        case configuration
        /// The peer and we could not agree (protocol, certificate, host name, missing client certificate).
        case handshake
        /// Reading or writing an established connection failed (reset, protocol error mid-stream).
        case io
        /// A JWK set could not be parsed or one of its keys is malformed.
        case keySet
    }

    public let kind: Kind
    public let message: String
    public let openSSLErrors: [String]

    public init(_ kind: Kind, _ message: String, openSSLErrors: [String] = []) {
        self.kind = kind
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        openSSLErrors.isEmpty ? message : "\(message) [openssl: \(openSSLErrors.joined(separator: "; "))]"
    }

    /// An error carrying whatever OpenSSL queued on this thread since the last `OpenSSLErrorQueue.clear()`.
    static func openSSL(_ kind: Kind, _ message: String) -> TLSError {
        TLSError(kind, message, openSSLErrors: OpenSSLErrorQueue.drain())
    }
}

/// OpenSSL's per-thread error queue. Cleared before each call sequence so that a failure reports its own causes and
/// not leftovers from an earlier, unrelated call on the same event-loop thread (the swift-nio-ssl discipline).
enum OpenSSLErrorQueue {
    /// Enough to name the cause; deeper entries are usually the same failure seen from outer layers.
    private static let maximumEntries = 4

    static func clear() { ERR_clear_error() }

    /// Empties the queue, returning at most `maximumEntries` entries as "reason (detail)".
    static func drain() -> [String] {
        var entries: [String] = []
        while true {
            var data: UnsafePointer<CChar>? = nil
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            guard entries.count < maximumEntries else { continue }
            var entry: String
            if let reason = ERR_reason_error_string(code) {
                entry = String(cString: reason)
            } else {
                entry = "error 0x" + String(code, radix: 16)
            }
            if flags & ERR_TXT_STRING != 0, let data, data.pointee != 0 {
                entry += " (\(String(cString: data)))"
            }
            entries.append(entry)
        }
        return entries
    }
}
