import Synchronization
import Testing

@testable import CurfewPolicy

@Suite struct EnforcementStoreTests {
    let alice = UserKey(db: "db", name: "alice")
    let t: Int64 = 1_767_225_600_000  // a whole second, in ms

    func jwt(iat: Int64?, jti: String? = nil, user: UserKey? = nil) -> CredentialFacts {
        CredentialFacts(user: user ?? alice, kind: .jwt, jti: jti, issuedAt: iat)
    }

    func session(_ id: String = "s1", firstSeen: Int64?, user: UserKey? = nil) -> CredentialFacts {
        CredentialFacts(user: user ?? alice, kind: .session, sessionID: id, firstSeen: firstSeen)
    }

    @Test func userKeyIncludesTheDatabase() {
        let store = InMemoryEnforcementStore()
        store.revoke(.user(UserKey(db: "other", name: "alice")), at: t + 500, until: t + 60_000)
        #expect(store.refusal(for: jwt(iat: t), now: t + 1_000) == nil)
        #expect(store.refusal(for: jwt(iat: t, user: UserKey(db: "other", name: "alice")), now: t + 1_000) == .revoked)
    }

    @Test func userRevocationRefusesJWTsIssuedUpToTheRevocationSecond() {
        let store = InMemoryEnforcementStore()
        store.revoke(.user(alice), at: t + 500, until: t + 3_600_000)
        let now = t + 10_000
        #expect(store.refusal(for: jwt(iat: t - 1_000), now: now) == .revoked)
        #expect(store.refusal(for: jwt(iat: t), now: now) == .revoked)  // same second, even if later within it
        #expect(store.refusal(for: jwt(iat: t + 999), now: now) == .revoked)
        #expect(store.refusal(for: jwt(iat: t + 1_000), now: now) == nil)  // the next second
        #expect(store.refusal(for: jwt(iat: nil), now: now) == .revoked)  // no iat: cannot prove it is newer
        #expect(store.refusal(for: jwt(iat: t, user: UserKey(db: "db", name: "bob")), now: now) == nil)
    }

    @Test func userRevocationRefusesSessionsFirstSeenAtOrBeforeIt() {
        let store = InMemoryEnforcementStore()
        store.revoke(.user(alice), at: t + 500, until: t + 3_600_000)
        let now = t + 10_000
        #expect(store.refusal(for: session(firstSeen: t + 499), now: now) == .revoked)
        #expect(store.refusal(for: session(firstSeen: t + 500), now: now) == .revoked)
        #expect(store.refusal(for: session(firstSeen: t + 501), now: now) == nil)
        #expect(store.refusal(for: session(firstSeen: nil), now: now) == nil)  // new at this handshake
    }

    @Test func userRevocationReachesBasicOnlyThroughRecordedCredentialIDs() {
        let store = InMemoryEnforcementStore()
        store.revoke(.user(alice), at: t, until: t + 60_000)
        store.revoke(.credential("basic:fp1"), at: t, until: t + 60_000)
        let old = CredentialFacts(user: alice, kind: .basic, credentialID: "basic:fp1")
        let changed = CredentialFacts(user: alice, kind: .basic, credentialID: "basic:fp2")
        #expect(store.refusal(for: old, now: t + 1) == .revoked)
        #expect(store.refusal(for: changed, now: t + 1) == nil)
    }

    @Test func userRevocationEndsAtUntilAndIsPurged() {
        let store = InMemoryEnforcementStore(sweepInterval: 0)
        store.revoke(.user(alice), at: t, until: t + 60_000)
        #expect(store.refusal(for: jwt(iat: t), now: t + 59_999) == .revoked)
        #expect(store.refusal(for: jwt(iat: t), now: t + 60_000) == nil)
        #expect(store.entryCount == 0)
    }

    @Test func severalUserRevocationsEachKeepTheirWindow() {
        let store = InMemoryEnforcementStore()
        store.revoke(.user(alice), at: t, until: t + 100_000)
        store.revoke(.user(alice), at: t + 50_000, until: t + 60_000)
        #expect(store.refusal(for: jwt(iat: t + 40_000), now: t + 55_000) == .revoked)
        // After the second window ends, the first one still refuses what it covers, and only that.
        #expect(store.refusal(for: jwt(iat: t + 40_000), now: t + 70_000) == nil)
        #expect(store.refusal(for: jwt(iat: t), now: t + 70_000) == .revoked)
    }

    @Test func jtiAndSessionRevocationsLastUntilUntil() {
        let store = InMemoryEnforcementStore(sweepInterval: 0)
        store.revoke(.jti("j1"), at: t, until: t + 1_000)
        store.revoke(.session("s1"), at: t, until: t + 2_000)
        // Regardless of user or issue time.
        #expect(
            store.refusal(for: jwt(iat: t + 500_000, jti: "j1", user: UserKey(db: nil, name: "x")), now: t) == .revoked)
        #expect(store.refusal(for: jwt(iat: t, jti: "j2"), now: t) == nil)
        #expect(store.refusal(for: session("s1", firstSeen: t + 10), now: t + 999) == .revoked)
        #expect(store.refusal(for: jwt(iat: t, jti: "j1"), now: t + 999) == .revoked)
        #expect(store.refusal(for: jwt(iat: t, jti: "j1"), now: t + 1_000) == nil)
        #expect(store.entryCount == 1)  // j1 purged, s1 still live
        #expect(store.refusal(for: session("s1", firstSeen: t + 10), now: t + 1_999) == .revoked)
        #expect(store.refusal(for: session("s1", firstSeen: t + 10), now: t + 2_000) == nil)
        #expect(store.entryCount == 0)
    }

    @Test func reRevokingExtendsButNeverShortens() {
        let store = InMemoryEnforcementStore()
        store.revoke(.jti("j1"), at: t, until: t + 5_000)
        store.revoke(.jti("j1"), at: t + 1, until: t + 2_000)
        #expect(store.refusal(for: jwt(iat: t, jti: "j1"), now: t + 4_000) == .revoked)
    }

    @Test func purgingWaitsForTheSweepIntervalButLookupsNeverUseExpiredEntries() {
        let store = InMemoryEnforcementStore(sweepInterval: 60_000)
        store.revoke(.jti("j1"), at: t, until: t + 1_000)
        #expect(store.refusal(for: jwt(iat: t, jti: "j1"), now: t + 1_000) == nil)
        #expect(store.entryCount == 1)  // not yet swept
        store.recordHeartbeat(user: alice, at: t + 60_000)
        #expect(store.entryCount == 1)  // the jti is gone, the heartbeat is in
        #expect(store.lastHeartbeat(user: alice) == t + 60_000)
    }

    @Test func heartbeatsAreRetainedForTheRetentionOnly() {
        let store = InMemoryEnforcementStore(heartbeatRetention: 10_000, sweepInterval: 0)
        store.recordHeartbeat(user: alice, at: t)
        store.recordHeartbeat(user: alice, at: t - 5)  // late report from another worker: keeps the newer one
        #expect(store.lastHeartbeat(user: alice) == t)
        _ = store.refusal(for: jwt(iat: t), now: t + 10_000)
        #expect(store.lastHeartbeat(user: alice) == nil)
    }

    @Test func heartbeatMissedThenCleared() {
        let store = InMemoryEnforcementStore()
        store.recordHeartbeat(user: alice, at: t)
        store.markHeartbeatMissed(user: alice, at: t + 30_000)
        #expect(store.heartbeatMissedSince(user: alice) == t + 30_000)
        // A heartbeat from before the cut does not settle it.
        store.recordHeartbeat(user: alice, at: t + 29_000)
        #expect(store.heartbeatMissedSince(user: alice) == t + 30_000)
        store.recordHeartbeat(user: alice, at: t + 31_000)
        #expect(store.heartbeatMissedSince(user: alice) == nil)
        #expect(store.lastHeartbeat(user: alice) == t + 31_000)
        // A mark older than the latest heartbeat is already settled.
        store.markHeartbeatMissed(user: alice, at: t + 31_000)
        #expect(store.heartbeatMissedSince(user: alice) == nil)
        // The heartbeat debt is not a handshake refusal (the heartbeat itself must get through).
        store.markHeartbeatMissed(user: alice, at: t + 90_000)
        #expect(store.refusal(for: jwt(iat: t), now: t + 91_000) == nil)
    }

    @Test func userChangesRefuseSessionsAndBasicFirstSeenBefore() {
        let store = InMemoryEnforcementStore()
        store.recordUserChange(user: alice, kind: .passwordChanged, at: t)
        let basicOld = CredentialFacts(user: alice, kind: .basic, firstSeen: t - 1, credentialID: "b1")
        let basicNew = CredentialFacts(user: alice, kind: .basic, firstSeen: nil, credentialID: "b2")
        #expect(store.refusal(for: session(firstSeen: t), now: t + 5) == .passwordChanged)
        #expect(store.refusal(for: session(firstSeen: t + 1), now: t + 5) == nil)
        #expect(store.refusal(for: basicOld, now: t + 5) == .passwordChanged)
        #expect(store.refusal(for: basicNew, now: t + 5) == nil)
        // A JWT is not affected: SG's password does not sign it.
        #expect(store.refusal(for: jwt(iat: t - 10_000), now: t + 5) == nil)

        store.recordUserChange(user: alice, kind: .disabled, at: t + 100)
        #expect(store.refusal(for: session(firstSeen: t + 50), now: t + 200) == .userDisabled)
        // Revocation outranks user changes.
        store.revoke(.session("s1"), at: t + 100, until: t + 10_000)
        #expect(store.refusal(for: session("s1", firstSeen: t + 50), now: t + 200) == .revoked)
    }

    @Test func userChangesExpireAfterTheirRetention() {
        let store = InMemoryEnforcementStore(userChangeRetention: 1_000)
        store.recordUserChange(user: alice, kind: .disabled, at: t)
        #expect(store.refusal(for: session(firstSeen: t - 1), now: t + 999) == .userDisabled)
        #expect(store.refusal(for: session(firstSeen: t - 1), now: t + 1_000) == nil)
    }

    @Test func anonymousFactsOnlyMeetIDRevocations() {
        let store = InMemoryEnforcementStore()
        store.revoke(.credential("anon-1"), at: t, until: t + 1_000)
        #expect(store.refusal(for: CredentialFacts(user: nil, kind: .none, credentialID: "anon-1"), now: t) == .revoked)
        #expect(store.refusal(for: CredentialFacts(user: nil, kind: .none), now: t) == nil)
    }

    @Test func concurrentUseFromSeveralThreads() async {
        let store = InMemoryEnforcementStore(sweepInterval: 1)
        let users = (0..<8).map { UserKey(db: "db", name: "u\($0)") }
        await withTaskGroup(of: Void.self) { group in
            for (i, user) in users.enumerated() {
                group.addTask {
                    for step in 0..<500 {
                        let now = t + Int64(step)
                        store.recordHeartbeat(user: user, at: now)
                        store.revoke(.jti("u\(i)-\(step)"), at: now, until: now + 1_000_000)
                        _ = store.refusal(
                            for: CredentialFacts(user: user, kind: .jwt, jti: "x", issuedAt: now), now: now)
                        _ = store.lastHeartbeat(user: users[(i + 1) % users.count])
                    }
                }
            }
        }
        for user in users { #expect(store.lastHeartbeat(user: user) == t + 499) }
        for i in 0..<users.count {
            #expect(store.refusal(for: jwt(iat: t, jti: "u\(i)-250"), now: t + 600) == .revoked)
        }
        #expect(store.entryCount == users.count + users.count * 500)
    }
}
