import Synchronization

/// The single-instance `EnforcementStore`: one per process, shared by all worker threads behind one `Mutex`. Every
/// operation is a few dictionary lookups, so the lock is held for well under a microsecond.
///
/// Memory is bounded by time, not by a count (dropping a revocation to make room would reopen a door):
/// - revocations live until their `until` and are purged after it;
/// - heartbeats and "heartbeat missed" marks live for `heartbeatRetention` after they were recorded;
/// - user changes live for `userChangeRetention`.
/// Purging happens on access: a lookup never answers from an expired entry, and a full sweep runs at most once per
/// `sweepInterval` of injected time, from whichever call brings a time. So the store holds at most what was written
/// within the longest retention window.
public final class InMemoryEnforcementStore: EnforcementStore {
    /// Retention for heartbeat records and marks (ms); should exceed the longest heartbeat interval.
    public let heartbeatRetention: Int64
    /// Retention for user changes (ms); should exceed how long a session or Basic credential may keep reconnecting.
    public let userChangeRetention: Int64
    public let sweepInterval: Int64

    private let state = Mutex(State())

    public init(
        heartbeatRetention: Int64 = 24 * 3_600_000,
        userChangeRetention: Int64 = 30 * 24 * 3_600_000,
        sweepInterval: Int64 = 60_000
    ) {
        self.heartbeatRetention = heartbeatRetention
        self.userChangeRetention = userChangeRetention
        self.sweepInterval = sweepInterval
    }

    public func recordHeartbeat(user: UserKey, at: Int64) {
        state.withLock { state in
            sweepIfDue(&state, now: at)
            if let previous = state.heartbeats[user], previous >= at {
                // An older heartbeat reported late by another worker: keep the newer one.
            } else {
                state.heartbeats[user] = at
            }
            if let missed = state.heartbeatMissed[user], missed <= at { state.heartbeatMissed[user] = nil }
        }
    }

    public func lastHeartbeat(user: UserKey) -> Int64? {
        state.withLock { $0.heartbeats[user] }
    }

    public func markHeartbeatMissed(user: UserKey, at: Int64) {
        state.withLock { state in
            sweepIfDue(&state, now: at)
            // A heartbeat recorded after the cut already settles the debt.
            if let last = state.heartbeats[user], last >= at { return }
            state.heartbeatMissed[user] = max(state.heartbeatMissed[user] ?? at, at)
        }
    }

    public func heartbeatMissedSince(user: UserKey) -> Int64? {
        state.withLock { $0.heartbeatMissed[user] }
    }

    public func revoke(_ target: RevocationTarget, at: Int64, until: Int64) {
        state.withLock { state in
            sweepIfDue(&state, now: at)
            guard until > at else { return }  // an entry that is already over would only be purged
            switch target {
            case .user(let user):
                state.userRevocations[user, default: []].insert(UserRevocation(at: at, until: until))
            case .session(let id): state.sessionRevocations[id] = max(state.sessionRevocations[id] ?? until, until)
            case .jti(let id): state.jtiRevocations[id] = max(state.jtiRevocations[id] ?? until, until)
            case .credential(let id):
                state.credentialRevocations[id] = max(state.credentialRevocations[id] ?? until, until)
            }
        }
    }

    public func recordUserChange(user: UserKey, kind: UserChangeKind, at: Int64) {
        state.withLock { state in
            sweepIfDue(&state, now: at)
            let key = UserChangeKey(user: user, kind: kind)
            state.userChanges[key] = max(state.userChanges[key] ?? at, at)
        }
    }

    public func refusal(for facts: CredentialFacts, now: Int64) -> CutReason? {
        state.withLock { state in
            sweepIfDue(&state, now: now)
            return Self.refusal(facts, now: now, state: state, userChangeRetention: userChangeRetention)
        }
    }

    /// How many entries the store holds, all maps together (for tests and a metrics gauge).
    public var entryCount: Int {
        state.withLock { state in
            state.heartbeats.count + state.heartbeatMissed.count
                + state.userRevocations.values.reduce(0) { $0 + $1.count }
                + state.sessionRevocations.count + state.jtiRevocations.count + state.credentialRevocations.count
                + state.userChanges.count
        }
    }

    // MARK: - Rules

    private static func refusal(_ facts: CredentialFacts, now: Int64, state: State, userChangeRetention: Int64)
        -> CutReason?
    {
        func active(_ until: Int64?) -> Bool { until.map { now < $0 } ?? false }
        if let jti = facts.jti, active(state.jtiRevocations[jti]) { return .revoked }
        if let id = facts.sessionID, active(state.sessionRevocations[id]) { return .revoked }
        if let id = facts.credentialID, active(state.credentialRevocations[id]) { return .revoked }

        guard let user = facts.user else { return nil }
        let firstSeen = facts.firstSeen ?? now
        for revocation in state.userRevocations[user] ?? [] where now < revocation.until {
            switch facts.kind {
            case .jwt:
                // JWT `iat` has whole seconds, so "issued after the revocation" is only knowable a second later:
                // anything issued in the revocation's second, or without `iat`, is refused.
                guard let issuedAt = facts.issuedAt else { return .revoked }
                if floorSeconds(issuedAt) <= floorSeconds(revocation.at) { return .revoked }
            case .session:
                if firstSeen <= revocation.at { return .revoked }
            case .basic, .cert, .none:
                break  // no issue time to compare: these are revoked by `.credential(id)`, checked above
            }
        }

        guard facts.kind == .session || facts.kind == .basic else { return nil }
        for kind in UserChangeKind.allCases {
            guard let changedAt = state.userChanges[UserChangeKey(user: user, kind: kind)],
                now < changedAt.saturatingAdd(userChangeRetention)
            else { continue }
            if firstSeen <= changedAt { return kind.cutReason }
        }
        return nil
    }

    private static func floorSeconds(_ ms: Int64) -> Int64 {
        ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)
    }

    // MARK: - Purging

    private func sweepIfDue(_ state: inout State, now: Int64) {
        guard now >= state.nextSweep else { return }
        state.nextSweep = now.saturatingAdd(sweepInterval)
        state.heartbeats = state.heartbeats.filter { now < $0.value.saturatingAdd(heartbeatRetention) }
        state.heartbeatMissed = state.heartbeatMissed.filter { now < $0.value.saturatingAdd(heartbeatRetention) }
        state.userRevocations = state.userRevocations.compactMapValues { set in
            let live = set.filter { now < $0.until }
            return live.isEmpty ? nil : live
        }
        state.sessionRevocations = state.sessionRevocations.filter { now < $0.value }
        state.jtiRevocations = state.jtiRevocations.filter { now < $0.value }
        state.credentialRevocations = state.credentialRevocations.filter { now < $0.value }
        state.userChanges = state.userChanges.filter { now < $0.value.saturatingAdd(userChangeRetention) }
    }

    private struct UserRevocation: Hashable {
        var at: Int64
        var until: Int64
    }

    private struct UserChangeKey: Hashable {
        var user: UserKey
        var kind: UserChangeKind
    }

    private struct State: Sendable {
        var heartbeats: [UserKey: Int64] = [:]
        var heartbeatMissed: [UserKey: Int64] = [:]
        /// Several revocations of one user can be live at once with different `until`s; a set keeps each.
        var userRevocations: [UserKey: Set<UserRevocation>] = [:]
        /// id -> until
        var sessionRevocations: [String: Int64] = [:]
        var jtiRevocations: [String: Int64] = [:]
        var credentialRevocations: [String: Int64] = [:]
        var userChanges: [UserChangeKey: Int64] = [:]
        var nextSweep: Int64 = .min
    }
}
