/// What a timer-wheel entry is for. A wheel token is `connectionID << 4 | kind`, so one wheel serves every
/// connection of a worker and an expired entry finds its owner with one dictionary lookup.
enum TimerKind: UInt64 {
    /// The whole request head must arrive within `limits.header_timeout` (slowloris defence) -> 408.
    case headerTimeout = 1
    /// An idle keep-alive client connection is closed after `limits.keepalive_timeout`.
    case keepAliveIdle = 2
    /// The upstream TCP (+TLS) connect must finish within `upstream.connect_timeout` -> 502.
    case upstreamConnect = 3
    /// After a cut, both sockets close within `enforcement.close_grace` whatever the peers do.
    case closeGrace = 4
    /// The connection's enforcement deadline (credential expiry, max age, heartbeat).
    case enforcement = 5
    /// A pooled idle upstream connection is closed after `upstream.idle_timeout`.
    case upstreamIdle = 6
    /// Periodic recheck of an SG session with the admin API.
    case sessionRecheck = 7
    /// A request to SG's admin API must complete within `upstream.connect_timeout`.
    case adminCallTimeout = 8

    static func token(id: UInt64, kind: TimerKind) -> UInt64 { id << 4 | kind.rawValue }
    static func split(_ token: UInt64) -> (id: UInt64, kind: TimerKind?) { (token >> 4, TimerKind(rawValue: token & 0xF)) }
}
