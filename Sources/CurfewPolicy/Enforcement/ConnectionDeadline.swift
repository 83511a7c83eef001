/// What set a connection's deadline.
public enum DeadlineCause: String, Sendable, Hashable, CaseIterable {
    case credentialExpiry = "credential_expiry"
    case certificateExpiry = "certificate_expiry"
    case maxAge = "max_age"
    case heartbeat = "heartbeat"

    /// The reason logged when the connection is cut at this deadline.
    public var cutReason: CutReason {
        switch self {
        case .credentialExpiry: .credentialExpired
        case .certificateExpiry: .certificateExpired
        case .maxAge: .maxAge
        case .heartbeat: .heartbeatMissed
        }
    }
}

/// The earliest instant (unix milliseconds) at which a connection must be cut, and why.
public struct ConnectionDeadline: Sendable, Hashable {
    public var at: Int64
    public var cause: DeadlineCause

    public init(at: Int64, cause: DeadlineCause) {
        self.at = at
        self.cause = cause
    }

    /// The earliest of the given bounds, or nil when none applies.
    ///
    /// Ties go to the cause listed first here (credential, certificate, max age, heartbeat): the credential's own
    /// expiry is the most specific explanation to give the user, and a heartbeat deadline is the least.
    /// - Parameters:
    ///   - opened: when the connection was accepted.
    ///   - maxAge: a duration in milliseconds, counted from `opened` (saturating, never overflowing).
    public static func earliest(
        opened: Int64,
        credentialExpiresAt: Int64?,
        certificateNotAfter: Int64?,
        maxAge: Int64?,
        heartbeatDeadline: Int64?
    ) -> ConnectionDeadline? {
        let maxAgeDeadline = maxAge.map { opened.saturatingAdd($0) }
        let candidates: [(Int64?, DeadlineCause)] = [
            (credentialExpiresAt, .credentialExpiry),
            (certificateNotAfter, .certificateExpiry),
            (maxAgeDeadline, .maxAge),
            (heartbeatDeadline, .heartbeat),
        ]
        var best: ConnectionDeadline? = nil
        for case (let at?, let cause) in candidates {
            if let current = best, current.at <= at { continue }  // `<=`: an earlier-listed cause keeps a tie
            best = ConnectionDeadline(at: at, cause: cause)
        }
        return best
    }
}
