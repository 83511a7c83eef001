/// The state curfew's workers share about users and credentials: heartbeats, revocations and user changes.
///
/// This is the seam where a shared store (Redis) slots in so that several curfew instances agree, which is why it is
/// small and value-in/value-out: every method is one round trip. Times are unix milliseconds, passed in.
public protocol EnforcementStore: Sendable {
    /// An authenticated heartbeat from `user` arrived at `at`. Also clears a pending "heartbeat missed" mark made at
    /// or before `at`.
    func recordHeartbeat(user: UserKey, at: Int64)
    /// The latest heartbeat recorded for `user`, if any is still retained.
    func lastHeartbeat(user: UserKey) -> Int64?
    /// A connection of `user` was cut with `heartbeat_missed` at `at`; the user now owes a heartbeat.
    func markHeartbeatMissed(user: UserKey, at: Int64)
    /// When the user was marked as owing a heartbeat, or nil when they do not (never missed, or a heartbeat came).
    ///
    /// Deliberately not part of `refusal(for:now:)`: the heartbeat itself arrives as an authenticated request, and
    /// refusing it would lock the user out for good. The runtime decides what an owed heartbeat means for a handshake.
    func heartbeatMissedSince(user: UserKey) -> Int64?
    /// Revokes `target` from `at`; the entry is kept (and enforced) while `now < until`, then purged.
    func revoke(_ target: RevocationTarget, at: Int64, until: Int64)
    /// SG reported (or an operator recorded) that `user` was disabled or changed password at `at`.
    func recordUserChange(user: UserKey, kind: UserChangeKind, at: Int64)
    /// The one question the handshake asks: must this credential be refused, and why? Nil means admit.
    func refusal(for facts: CredentialFacts, now: Int64) -> CutReason?
}
