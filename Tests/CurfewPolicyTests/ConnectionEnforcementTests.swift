import Testing

@testable import CurfewPolicy

@Suite struct ConnectionEnforcementTests {
    let opened: Int64 = 1_767_225_600_000

    func credential(_ kind: CredentialKind, expiresAt: Int64?) -> AuthenticatedCredential {
        AuthenticatedCredential(kind: kind, user: "alice", credentialID: "c1", expiresAt: expiresAt, issuedAt: nil)
    }

    func machine(
        _ kind: CredentialKind = .jwt, expiresAt: Int64? = nil, cert: Int64? = nil, maxAge: Int64? = nil,
        heartbeat: Int64? = nil
    ) -> ConnectionEnforcement {
        ConnectionEnforcement(
            opened: opened, credential: credential(kind, expiresAt: expiresAt), certificateNotAfter: cert,
            maxAge: maxAge, heartbeatDeadline: heartbeat)
    }

    @Test func startsWithTheEarliestDeadline() {
        let m = machine(expiresAt: opened + 5_000, cert: opened + 9_000, maxAge: 60_000, heartbeat: opened + 7_000)
        #expect(m.deadline == opened + 5_000)
        #expect(m.cause == .credentialExpiry)
        #expect(m.initialAction == .reschedule(at: opened + 5_000))
        #expect(!m.isCut)
    }

    @Test func neverCutsEarly() {
        var m = machine(expiresAt: opened + 5_000)
        #expect(m.timerFired(now: opened) == .reschedule(at: opened + 5_000))
        #expect(m.timerFired(now: opened + 4_999) == .reschedule(at: opened + 5_000))
        #expect(!m.isCut)
        #expect(m.timerFired(now: opened + 5_000) == .cut(.credentialExpired))
        #expect(m.cutReason == .credentialExpired)
    }

    @Test func aLateTimerStillCutsWithTheRightReason() {
        var m = machine(maxAge: 1_000, heartbeat: opened + 2_000)
        #expect(m.timerFired(now: opened + 50_000) == .cut(.maxAge))
    }

    @Test func onceCutEverythingIsIgnored() {
        var m = machine(expiresAt: opened + 10)
        #expect(m.timerFired(now: opened + 10) == .cut(.credentialExpired))
        #expect(m.timerFired(now: opened + 20) == .none)
        #expect(m.revoked(reason: .revoked) == .none)
        #expect(m.credentialRefreshed(expiresAt: opened + 99_999) == .none)
        #expect(m.heartbeatDeadlineMoved(to: opened + 5) == .none)
        #expect(m.cutReason == .credentialExpired)
    }

    @Test func unboundedConnectionNeverCutsByTime() {
        var m = machine(.none)
        #expect(m.deadline == nil && m.initialAction == .none)
        #expect(m.timerFired(now: .max) == .none)
    }

    @Test func refreshMovesAJWTDeadlineEitherWay() {
        var m = machine(expiresAt: opened + 5_000, maxAge: 60_000)
        #expect(m.credentialRefreshed(expiresAt: opened + 20_000) == .reschedule(at: opened + 20_000))
        #expect(m.deadline == opened + 20_000 && m.cause == .credentialExpiry)
        // The old timer firing at the old deadline only re-arms.
        #expect(m.timerFired(now: opened + 5_000) == .reschedule(at: opened + 20_000))
        // A new token that expires sooner pulls the deadline in: never beyond what the token allows.
        #expect(m.credentialRefreshed(expiresAt: opened + 8_000) == .reschedule(at: opened + 8_000))
        // A token outliving the max age does not lift the max age.
        #expect(m.credentialRefreshed(expiresAt: opened + 999_000) == .reschedule(at: opened + 60_000))
        #expect(m.cause == .maxAge)
        #expect(m.credential.expiresAt == opened + 999_000)
    }

    @Test func refreshIsIgnoredForOtherKinds() {
        for kind in [CredentialKind.basic, .session, .cert, .none] {
            var m = machine(kind, expiresAt: opened + 5_000)
            #expect(m.credentialRefreshed(expiresAt: opened + 20_000) == .none)
            #expect(m.deadline == opened + 5_000)
            #expect(m.timerFired(now: opened + 5_000) == .cut(.credentialExpired))
        }
    }

    @Test func sessionExpiryLearnedSlidesASessionOnly() {
        var session = machine(.session, expiresAt: opened + 5_000)
        #expect(session.sessionExpiryLearned(opened + 50_000) == .reschedule(at: opened + 50_000))
        #expect(session.sessionExpiryLearned(opened + 50_000) == .none)  // unchanged: nothing to re-arm
        #expect(session.sessionExpiryLearned(opened + 1_000) == .reschedule(at: opened + 1_000))

        var jwt = machine(.jwt, expiresAt: opened + 5_000)
        #expect(jwt.sessionExpiryLearned(opened + 50_000) == .none)
        #expect(jwt.deadline == opened + 5_000)
    }

    @Test func heartbeatDeadlineMoves() {
        var m = machine(.basic, expiresAt: opened + 100_000, heartbeat: opened + 10_000)
        #expect(m.cause == .heartbeat)
        #expect(m.heartbeatDeadlineMoved(to: opened + 30_000) == .reschedule(at: opened + 30_000))
        #expect(m.timerFired(now: opened + 10_000) == .reschedule(at: opened + 30_000))
        #expect(m.heartbeatDeadlineMoved(to: nil) == .reschedule(at: opened + 100_000))
        #expect(m.cause == .credentialExpiry)
        #expect(m.heartbeatDeadlineMoved(to: opened + 1) == .reschedule(at: opened + 1))
        #expect(m.timerFired(now: opened + 1) == .cut(.heartbeatMissed))
    }

    @Test func removingTheOnlyBoundLeavesNoDeadline() {
        var m = machine(.none, heartbeat: opened + 10)
        #expect(m.heartbeatDeadlineMoved(to: nil) == .none)
        #expect(m.deadline == nil)
        #expect(m.timerFired(now: opened + 10) == .none)
        #expect(!m.isCut)
    }

    @Test func revokedCutsAtOnce() {
        var m = machine(expiresAt: opened + 5_000)
        #expect(m.revoked(reason: .userDisabled) == .cut(.userDisabled))
        #expect(m.cutReason == .userDisabled)
        #expect(m.timerFired(now: opened + 5_000) == .none)
    }

    @Test func aVerifiedJWTBecomesACredentialInMilliseconds() {
        let jwt = VerifiedJWT(
            user: "alice", issuer: "i", jti: "j1", issuedAt: 1_700_000_000, notBefore: nil, expiresAt: 1_700_000_600,
            deadline: 1_700_000_630)
        let credential = AuthenticatedCredential(verified: jwt)
        #expect(
            credential
                == AuthenticatedCredential(
                    kind: .jwt, user: "alice", credentialID: "j1", expiresAt: 1_700_000_630_000,
                    issuedAt: 1_700_000_000_000))
    }

    @Test func certificateExpiryCuts() {
        var m = machine(.cert, cert: opened + 3_000, maxAge: 10_000)
        #expect(m.timerFired(now: opened + 3_000) == .cut(.certificateExpired))
    }
}
