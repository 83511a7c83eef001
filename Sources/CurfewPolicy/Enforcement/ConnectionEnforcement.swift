/// What the runtime must do after an enforcement event.
public enum EnforcementAction: Sendable, Equatable {
    /// (Re)arm the connection's timer for this instant (unix ms). It may already be past; the timer then fires at
    /// once and `timerFired(now:)` decides.
    case reschedule(at: Int64)
    /// Close the connection now and log this reason.
    case cut(CutReason)
    /// Nothing changes.
    case none
}

/// The per-connection enforcement state machine: it holds the bounds a connection lives under and turns events into
/// actions. No I/O and no clock: times (unix milliseconds) come in with the events, and the runtime carries out the
/// returned `EnforcementAction` (arm a timer, close the socket, log).
///
/// Two rules it keeps: it never cuts before the deadline (only `timerFired` with `now >= deadline`, or an explicit
/// `revoked`, cut), and once cut it stays cut (every later event answers `.none`).
public struct ConnectionEnforcement: Sendable {
    public let opened: Int64
    public private(set) var credential: AuthenticatedCredential
    public let certificateNotAfter: Int64?
    /// Maximum connection age in milliseconds, counted from `opened`.
    public let maxAge: Int64?
    public private(set) var heartbeatDeadline: Int64?
    /// Set once the connection has been cut.
    public private(set) var cutReason: CutReason?
    private var current: ConnectionDeadline?

    public init(
        opened: Int64,
        credential: AuthenticatedCredential,
        certificateNotAfter: Int64?,
        maxAge: Int64?,
        heartbeatDeadline: Int64?
    ) {
        self.opened = opened
        self.credential = credential
        self.certificateNotAfter = certificateNotAfter
        self.maxAge = maxAge
        self.heartbeatDeadline = heartbeatDeadline
        self.current = nil
        self.current = computeDeadline()
    }

    /// When the connection must be cut (unix ms), or nil when nothing bounds it.
    public var deadline: Int64? { current?.at }
    /// What sets `deadline`.
    public var cause: DeadlineCause? { current?.cause }
    public var isCut: Bool { cutReason != nil }

    /// The action to take right after the handshake: arm the timer.
    public var initialAction: EnforcementAction {
        if let deadline { .reschedule(at: deadline) } else { .none }
    }

    /// The connection's timer fired. Cuts only when `now` has reached the deadline; a timer that fires early (a
    /// coarse wheel, a deadline that moved later) just re-arms.
    public mutating func timerFired(now: Int64) -> EnforcementAction {
        guard cutReason == nil, let current else { return .none }
        if now >= current.at { return cut(current.cause.cutReason) }
        return .reschedule(at: current.at)
    }

    /// The user's heartbeat deadline moved (a heartbeat arrived, or the policy changed). Nil removes the bound.
    public mutating func heartbeatDeadlineMoved(to newDeadline: Int64?) -> EnforcementAction {
        heartbeatDeadline = newDeadline
        return recompute()
    }

    /// The client presented a newer token for this connection; `expiresAt` is that token's deadline (`exp + leeway`,
    /// ms). The expiry becomes exactly what the new token allows: later or earlier. Ignored unless the connection was
    /// opened with a JWT: refreshing a Basic or session connection with a token would swap identities mid-stream.
    public mutating func credentialRefreshed(expiresAt: Int64) -> EnforcementAction {
        guard credential.kind == .jwt else { return .none }
        credential.expiresAt = expiresAt
        return recompute()
    }

    /// curfew learned a session's expiry (from SG's `Set-Cookie` or a session create/refresh answer). SG sessions
    /// slide, so this may move the deadline either way. Ignored unless the connection runs on a session.
    public mutating func sessionExpiryLearned(_ expiresAt: Int64) -> EnforcementAction {
        guard credential.kind == .session else { return .none }
        credential.expiresAt = expiresAt
        return recompute()
    }

    /// An operator or the SG-awareness checks revoked the connection's credential or user: cut now.
    public mutating func revoked(reason: CutReason) -> EnforcementAction {
        guard cutReason == nil else { return .none }
        return cut(reason)
    }

    private mutating func cut(_ reason: CutReason) -> EnforcementAction {
        cutReason = reason
        return .cut(reason)
    }

    private mutating func recompute() -> EnforcementAction {
        guard cutReason == nil else { return .none }
        let next = computeDeadline()
        defer { current = next }
        guard next?.at != current?.at else { return .none }
        // A deadline that disappeared leaves the old timer armed; when it fires, `timerFired` answers `.none`.
        guard let next else { return .none }
        return .reschedule(at: next.at)
    }

    private func computeDeadline() -> ConnectionDeadline? {
        ConnectionDeadline.earliest(
            opened: opened,
            credentialExpiresAt: credential.expiresAt,
            certificateNotAfter: certificateNotAfter,
            maxAge: maxAge,
            heartbeatDeadline: heartbeatDeadline)
    }
}
