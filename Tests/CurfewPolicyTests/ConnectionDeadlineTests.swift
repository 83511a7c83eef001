import Testing

@testable import CurfewPolicy

@Suite struct ConnectionDeadlineTests {
    let opened: Int64 = 1_000_000

    @Test func nothingBoundsTheConnection() {
        #expect(
            ConnectionDeadline.earliest(
                opened: opened, credentialExpiresAt: nil, certificateNotAfter: nil, maxAge: nil, heartbeatDeadline: nil)
                == nil)
    }

    @Test func eachCauseWinsInTurn() {
        // Four bounds; the one lowered to `opened + 10` must win, whichever it is.
        for winner in DeadlineCause.allCases {
            func bound(_ cause: DeadlineCause) -> Int64 { cause == winner ? opened + 10 : opened + 1_000 }
            let deadline = ConnectionDeadline.earliest(
                opened: opened,
                credentialExpiresAt: bound(.credentialExpiry),
                certificateNotAfter: bound(.certificateExpiry),
                maxAge: bound(.maxAge) - opened,
                heartbeatDeadline: bound(.heartbeat))
            #expect(deadline == ConnectionDeadline(at: opened + 10, cause: winner))
        }
    }

    @Test func aSingleBoundIsTheDeadline() {
        #expect(
            ConnectionDeadline.earliest(
                opened: opened, credentialExpiresAt: nil, certificateNotAfter: nil, maxAge: 500, heartbeatDeadline: nil)
                == ConnectionDeadline(at: opened + 500, cause: .maxAge))
        #expect(
            ConnectionDeadline.earliest(
                opened: opened, credentialExpiresAt: nil, certificateNotAfter: 7, maxAge: nil, heartbeatDeadline: nil)
                == ConnectionDeadline(at: 7, cause: .certificateExpiry))
    }

    @Test func tiesGoToTheMostSpecificCause() {
        let t = opened + 100
        #expect(
            ConnectionDeadline.earliest(
                opened: opened, credentialExpiresAt: t, certificateNotAfter: t, maxAge: 100, heartbeatDeadline: t)?
                .cause == .credentialExpiry)
        #expect(
            ConnectionDeadline.earliest(
                opened: opened, credentialExpiresAt: nil, certificateNotAfter: t, maxAge: 100, heartbeatDeadline: t)?
                .cause == .certificateExpiry)
        #expect(
            ConnectionDeadline.earliest(
                opened: opened, credentialExpiresAt: nil, certificateNotAfter: nil, maxAge: 100, heartbeatDeadline: t)?
                .cause == .maxAge)
    }

    @Test func maxAgeSaturatesInsteadOfOverflowing() {
        #expect(
            ConnectionDeadline.earliest(
                opened: opened, credentialExpiresAt: nil, certificateNotAfter: nil, maxAge: .max, heartbeatDeadline: nil
            )
                == ConnectionDeadline(at: .max, cause: .maxAge))
    }

    @Test func causesMapToTheirCutReasons() {
        #expect(DeadlineCause.credentialExpiry.cutReason.rawValue == "credential_expired")
        #expect(DeadlineCause.certificateExpiry.cutReason.rawValue == "certificate_expired")
        #expect(DeadlineCause.maxAge.cutReason.rawValue == "max_age")
        #expect(DeadlineCause.heartbeat.cutReason.rawValue == "heartbeat_missed")
    }

    @Test func stableStrings() {
        #expect(
            CutReason.allCases.map(\.rawValue) == [
                "credential_expired", "certificate_expired", "max_age", "heartbeat_missed", "revoked",
                "session_deleted",
                "session_check_failed", "user_deleted", "password_changed", "user_disabled", "shutdown",
            ])
        #expect(CredentialKind.allCases.map(\.rawValue) == ["jwt", "session", "basic", "cert", "none"])
    }
}
