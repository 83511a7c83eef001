import Testing

@testable import CurfewPolicy

@Suite struct SGSetCookieTests {
    /// 2026-12-03T20:15:04Z, computed independently (Python `calendar.timegm`).
    static let dec3 = Int64(1_796_328_904_000)
    /// RFC 9110's example instant, 1994-11-06T08:49:37Z.
    static let rfcExample = Int64(784_111_777_000)
    let now = dec3 - 3_600_000

    @Test func expiresInIMFFixdate() throws {
        let cookie = try #require(
            SetCookie.parse("SyncGatewaySession=abc123; Path=/db/; Expires=Wed, 03 Dec 2026 20:15:04 GMT", now: now))
        #expect(cookie == SetCookie(name: "SyncGatewaySession", value: "abc123", expiresAt: Self.dec3))
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ])
    func expiresInAllThreeDateForms(date: String) throws {
        #expect(HTTPDate.parse(date, now: now) == Self.rfcExample)
        let cookie = try #require(SetCookie.parse("s=v; Expires=\(date); HttpOnly", now: now))
        #expect(cookie.expiresAt == Self.rfcExample)
    }

    @Test func asctimeWithTwoDigitDay() {
        #expect(HTTPDate.parse("Thu Dec 03 20:15:04 2026", now: now) == Self.dec3)
        #expect(HTTPDate.parse("Thu Dec  3 20:15:04 2026", now: now) == Self.dec3)
    }

    @Test func rfc850TwoDigitYearFollowsTheFiftyYearRule() {
        // now is in 2026: 76 -> 2076 (50 years ahead, allowed); 77 -> 1977; 25 -> 2025.
        let jan1 = { (year: Int64) in
            CivilCalendar.unixMilliseconds(year: year, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        }
        #expect(HTTPDate.parse("Friday, 01-Jan-76 00:00:00 GMT", now: now) == jan1(2076))
        #expect(HTTPDate.parse("Saturday, 01-Jan-77 00:00:00 GMT", now: now) == jan1(1977))
        #expect(HTTPDate.parse("Wednesday, 01-Jan-25 00:00:00 GMT", now: now) == jan1(2025))
        #expect(HTTPDate.parse("Friday, 01-Jan-99 00:00:00 GMT", now: now) == 915_148_800_000)
        // Late in a century, a small two-digit year is in the next one.
        let in2090 = jan1(2090)!
        #expect(HTTPDate.parse("Tuesday, 01-Jan-10 00:00:00 GMT", now: in2090) == jan1(2110))
    }

    @Test func datesAreCaseInsensitiveAndTrimmed() {
        #expect(HTTPDate.parse("  sun, 06 NOV 1994 08:49:37 gmt ", now: now) == Self.rfcExample)
        #expect(HTTPDate.parse("SUNDAY, 06-nov-94 08:49:37 GMT", now: now) == Self.rfcExample)
    }

    @Test func leapDayAndEpoch() {
        #expect(HTTPDate.parse("Tue, 29 Feb 2000 00:00:00 GMT", now: now) == 951_782_400_000)
        #expect(HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT", now: now) == 0)
        #expect(HTTPDate.parse("Wed, 31 Dec 1969 23:59:59 GMT", now: now) == -1000)
    }

    @Test(arguments: [
        "", "GMT", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun 06 Nov 1994 08:49:37 GMT", "Sun,06 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 1900 00:00:00 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMTX",
        "Sun, 06-Nov-94 08:49:37 GMT",  // RFC 850 layout needs the long day name
        "Sunday, 06 Nov 1994 08:49:37 GMT",  // IMF layout needs the short one
        "Sunday, 06-Nov-1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37",
        "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "Sun Nov  6 08:49:37 1994 GMT", "Sunday Nov  6 08:49:37 1994",
        "1796328904", "2026-12-03T20:15:04Z",
    ])
    func badDatesAreRejected(date: String) {
        #expect(HTTPDate.parse(date, now: now) == nil)
    }

    @Test func maxAgeIsRelativeToNow() throws {
        let cookie = try #require(SetCookie.parse("SyncGatewaySession=abc; Max-Age=86400; Path=/db/", now: now))
        #expect(cookie.expiresAt == now + 86_400_000)
    }

    @Test func maxAgeWinsOverExpiresInEitherOrder() throws {
        let before = try #require(
            SetCookie.parse("a=b; Max-Age=60; Expires=Sun, 06 Nov 1994 08:49:37 GMT", now: now))
        let after = try #require(
            SetCookie.parse("a=b; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=60", now: now))
        #expect(before.expiresAt == now + 60_000)
        #expect(after.expiresAt == now + 60_000)
    }

    @Test func invalidMaxAgeFallsBackToExpires() throws {
        for bad in ["", "abc", "1.5", "+60", "60s", "- 5", "-"] {
            let cookie = try #require(
                SetCookie.parse("a=b; Max-Age=\(bad); Expires=Sun, 06 Nov 1994 08:49:37 GMT", now: now))
            #expect(cookie.expiresAt == Self.rfcExample, "Max-Age=\(bad)")
        }
    }

    @Test func zeroOrNegativeMaxAgeMeansExpired() throws {
        for value in ["0", "-1", "-86400", "000"] {
            let cookie = try #require(SetCookie.parse("a=b; Max-Age=\(value)", now: now))
            let expiresAt = try #require(cookie.expiresAt)
            #expect(expiresAt <= now, "Max-Age=\(value)")
        }
    }

    @Test func hugeMaxAgeSaturates() throws {
        let cookie = try #require(SetCookie.parse("a=b; Max-Age=99999999999999999999999999", now: now))
        let expiresAt = try #require(cookie.expiresAt)
        #expect(expiresAt > now + 1_000_000_000_000)
        let leadingZeros = try #require(SetCookie.parse("a=b; Max-Age=0000000000000000000000005", now: now))
        #expect(leadingZeros.expiresAt == now + 5000)
    }

    @Test func laterAttributeOfTheSameNameWins() throws {
        let cookie = try #require(
            SetCookie.parse(
                "a=b; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Expires=Thu, 03 Dec 2026 20:15:04 GMT", now: now))
        #expect(cookie.expiresAt == Self.dec3)
        let maxAge = try #require(SetCookie.parse("a=b; Max-Age=10; Max-Age=20", now: now))
        #expect(maxAge.expiresAt == now + 20_000)
        // An unparsable later one is ignored, not a reset.
        let kept = try #require(
            SetCookie.parse("a=b; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Expires=soon", now: now))
        #expect(kept.expiresAt == Self.rfcExample)
    }

    @Test func attributeNamesInAnyCaseAndSpacing() throws {
        let cookie = try #require(
            SetCookie.parse("a=b;EXPIRES=Sun, 06 Nov 1994 08:49:37 GMT ;  path=/;SECURE;httponly", now: now))
        #expect(cookie.expiresAt == Self.rfcExample)
        let maxAge = try #require(SetCookie.parse("a=b; mAx-AgE = 30 ; Secure", now: now))
        #expect(maxAge.expiresAt == now + 30_000)
    }

    @Test func noExpiryIsASessionCookie() throws {
        let cookie = try #require(SetCookie.parse("SyncGatewaySession=abc; Path=/db/; HttpOnly", now: now))
        #expect(cookie.expiresAt == nil)
        let bare = try #require(SetCookie.parse("a=b", now: now))
        #expect(bare == SetCookie(name: "a", value: "b", expiresAt: nil))
    }

    @Test func quotedValuesAreUnquoted() throws {
        let cookie = try #require(SetCookie.parse(#"SyncGatewaySession="abc123"; Path=/db/"#, now: now))
        #expect(cookie.value == "abc123")
        // A lone quote is kept as is.
        #expect(SetCookie.parse(#"a="b; Path=/"#, now: now)?.value == #""b"#)
        #expect(SetCookie.parse(#"a=""; Path=/"#, now: now)?.value == "")
    }

    @Test func nameAndValueAreTrimmedAndValueMayContainEquals() throws {
        let cookie = try #require(SetCookie.parse("  name  =  a=b==  ; Max-Age=1", now: now))
        #expect(cookie.name == "name")
        #expect(cookie.value == "a=b==")
        #expect(SetCookie.parse("a=; Max-Age=0", now: now)?.value == "")
    }

    @Test(arguments: ["", "novalue", "=value", " =value; Path=/", "; a=b", ";", "novalue; Max-Age=5"])
    func unusablePairsAreIgnored(field: String) {
        #expect(SetCookie.parse(field, now: now) == nil)
    }

    @Test func firstPairIsTheCookieWhateverItsName() {
        // RFC 6265 §5.2: the first pair is the cookie, even when it looks like an attribute.
        #expect(SetCookie.parse("Path=/", now: now) == SetCookie(name: "Path", value: "/", expiresAt: nil))
    }

    @Test func parsesFromBytes() throws {
        let raw = Array("SyncGatewaySession=abc; Expires=Thu, 03 Dec 2026 20:15:04 GMT".utf8)
        let cookie = try raw.withUnsafeBufferPointer { try #require(SetCookie.parse(bytes: $0, now: now)) }
        #expect(cookie == SetCookie(name: "SyncGatewaySession", value: "abc", expiresAt: Self.dec3))
    }
}
