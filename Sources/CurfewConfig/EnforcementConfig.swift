/// `enforcement`: when and how websockets are cut.
public struct EnforcementConfig: Sendable, Equatable {
    /// The websocket close code sent when a connection is cut; one valid to send (RFC 6455 §7.4).
    public var closeCode: UInt16
    /// How long to wait for the client's close frame before dropping the TCP connection.
    public var closeGrace: Duration
    /// On shutdown, how long open connections get to finish.
    public var shutdownGrace: Duration
    /// Connections older than this are cut whatever their credential says.
    public var maxConnectionAge: Duration
    /// Timer wheel resolution, 1ms...1s.
    public var tick: Duration
    /// nil: no authenticated heartbeat.
    public var heartbeat: HeartbeatConfig?

    public init(
        closeCode: UInt16 = 4001,
        closeGrace: Duration = .seconds(1),
        shutdownGrace: Duration = .seconds(10),
        maxConnectionAge: Duration = .seconds(12 * 3600),
        tick: Duration = .milliseconds(10),
        heartbeat: HeartbeatConfig? = nil
    ) {
        self.closeCode = closeCode
        self.closeGrace = closeGrace
        self.shutdownGrace = shutdownGrace
        self.maxConnectionAge = maxConnectionAge
        self.tick = tick
        self.heartbeat = heartbeat
    }

    /// Close codes an endpoint may put in a close frame (RFC 6455 §7.4.1, §7.4.2 and the IANA registry):
    /// 1000–1003 and 1007–1014 are defined; 1004 is reserved, 1005, 1006 and 1015 must never be sent;
    /// 1016–2999 are reserved for future RFCs; 3000–3999 are registered for libraries, 4000–4999 private use.
    public static func isValidToSend(closeCode code: Int) -> Bool {
        (1000...1003).contains(code) || (1007...1014).contains(code) || (3000...4999).contains(code)
    }
}

/// `enforcement.heartbeat`: the client must prove its credential again within `timeout`.
public struct HeartbeatConfig: Sendable, Equatable {
    public var timeout: Duration
    /// A heartbeat carrying a newer credential moves the connection's expiry forward.
    public var refreshCredentials: Bool

    public init(timeout: Duration = .seconds(300), refreshCredentials: Bool = true) {
        self.timeout = timeout
        self.refreshCredentials = refreshCredentials
    }
}

/// `log`.
public struct LogConfig: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case json
        case text
    }

    public enum Level: String, Sendable, Equatable, CaseIterable {
        case debug
        case info
        case warning
        case error
    }

    public var format: Format
    public var level: Level

    public init(format: Format = .json, level: Level = .info) {
        self.format = format
        self.level = level
    }
}

/// `limits`: bounds on what a client may send before it is refused. All byte and count limits are inclusive.
public struct LimitsConfig: Sendable, Equatable {
    /// Total time to receive a request head (slowloris).
    public var headerTimeout: Duration
    /// Bytes in the request line.
    public var requestLine: Int
    /// Bytes in the whole header block.
    public var headerBlock: Int
    /// Number of header fields.
    public var headerFields: Int
    /// How long an idle client keep-alive (REST) connection is kept.
    public var keepaliveTimeout: Duration

    public init(
        headerTimeout: Duration = .seconds(10),
        requestLine: Int = 8192,
        headerBlock: Int = 32768,
        headerFields: Int = 100,
        keepaliveTimeout: Duration = .seconds(75)
    ) {
        self.headerTimeout = headerTimeout
        self.requestLine = requestLine
        self.headerBlock = headerBlock
        self.headerFields = headerFields
        self.keepaliveTimeout = keepaliveTimeout
    }
}
