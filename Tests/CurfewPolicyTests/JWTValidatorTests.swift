import Synchronization
import Testing

@testable import CurfewPolicy

@Suite struct JWTValidatorTests {
    let builder = TokenBuilder()
    let validator = JWTValidator(
        issuers: [
            JWTIssuer(
                issuer: "https://idp", audiences: ["sg", "other"], algorithms: ["RS256", "ES256"],
                verifier: FakeVerifier()),
            JWTIssuer(
                issuer: "https://hs", audiences: [], algorithms: ["HS256"], userClaim: "email",
                verifier: FakeVerifier()),
        ],
        leeway: 30)

    func claims(
        iss: String = "https://idp", aud: String = #""sg""#, exp: String? = nil, extra: String = #","sub":"alice""#
    ) -> String {
        let expPart = exp.map { #","exp":\#($0)"# } ?? #","exp":\#(testNow + 600)"#
        return #"{"iss":"\#(iss)","aud":\#(aud)\#(expPart)\#(extra)}"#
    }

    func rejection(_ token: String, now: Int64 = testNow) -> String? {
        if case .failure(let rejection) = validator.validate(token, now: now) { return rejection.reason }
        return nil
    }

    // MARK: - Accepting

    @Test func acceptsAGoodToken() throws {
        let token = builder.token(
            claims(extra: #","sub":"alice","jti":"id-1","iat":\#(testNow - 5),"nbf":\#(testNow - 5)"#))
        let verified = try validator.validate(token, now: testNow).get()
        #expect(
            verified
                == VerifiedJWT(
                    user: "alice", issuer: "https://idp", jti: "id-1", issuedAt: testNow - 5, notBefore: testNow - 5,
                    expiresAt: testNow + 600, deadline: testNow + 630))
    }

    @Test func iatNbfAndJtiAreOptional() throws {
        let verified = try validator.validate(builder.token(claims()), now: testNow).get()
        #expect(verified.jti == nil && verified.issuedAt == nil && verified.notBefore == nil)
    }

    @Test func audienceMayBeAStringOrAnArray() {
        #expect(rejection(builder.token(claims(aud: #""other""#))) == nil)
        #expect(rejection(builder.token(claims(aud: #"["x","sg"]"#))) == nil)
        #expect(rejection(builder.token(claims(aud: #"["x","y"]"#))) == "wrong_audience")
        #expect(rejection(builder.token(claims(aud: #""SG""#))) == "wrong_audience")
        #expect(rejection(builder.token(claims(aud: #"[]"#))) == "wrong_audience")
        #expect(rejection(builder.token(claims(aud: #"[1,null]"#))) == "wrong_audience")
        #expect(
            rejection(builder.token(#"{"iss":"https://idp","exp":\#(testNow + 60),"sub":"a"}"#)) == "wrong_audience")
    }

    @Test func audienceIsNotCheckedWhenNoneIsConfigured() throws {
        let hs = TokenBuilder(headerJSON: #"{"alg":"HS256","kid":"k1"}"#, algorithmForSignature: "HS256")
        let token = hs.token(#"{"iss":"https://hs","exp":\#(testNow + 60),"email":"bob@x"}"#)
        #expect(try validator.validate(token, now: testNow).get().user == "bob@x")
    }

    @Test func decimalDatesRoundTowardsRefusal() throws {
        let token = builder.token(
            claims(exp: "\(testNow + 100).9", extra: #","sub":"a","iat":\#(testNow - 10).7,"nbf":\#(testNow - 10).2"#))
        let verified = try validator.validate(token, now: testNow).get()
        #expect(verified.expiresAt == testNow + 100)
        #expect(verified.issuedAt == testNow - 10)
        #expect(verified.notBefore == testNow - 9)
        // Exponent notation is a number like any other.
        let exponent = builder.token(claims(exp: "1.8e9"))
        #expect(try validator.validate(exponent, now: testNow).get().expiresAt == 1_800_000_000)
    }

    @Test func withoutKidTheVerifierIsAskedForTheDefaultKey() {
        let noKid = TokenBuilder(headerJSON: #"{"alg":"RS256"}"#, key: 3)
        #expect(rejection(noKid.token(claims())) == nil)
    }

    // MARK: - Time boundaries (leeway 30 s)

    @Test func expiryBoundaryIsExclusive() {
        let token = builder.token(claims(exp: "\(testNow)"))
        #expect(rejection(token, now: testNow + 29) == nil)
        // At exactly exp + leeway the token is expired: the same instant a connection holding it is cut.
        #expect(rejection(token, now: testNow + 30) == "expired")
        #expect(rejection(token, now: testNow + 31) == "expired")
    }

    @Test func notBeforeBoundaryIsInclusive() {
        let token = builder.token(claims(extra: #","sub":"a","nbf":\#(testNow + 100)"#))
        #expect(rejection(token, now: testNow + 69) == "not_yet_valid")
        #expect(rejection(token, now: testNow + 70) == nil)
    }

    @Test func issuedAtBoundaryIsInclusive() {
        let token = builder.token(claims(extra: #","sub":"a","iat":\#(testNow + 30)"#))
        #expect(rejection(token, now: testNow) == nil)
        #expect(rejection(token, now: testNow - 1) == "issued_in_future")
    }

    // MARK: - Every rejection

    @Test func tooLarge() {
        let padding = String(repeating: "x", count: 16_384)
        let token = builder.token(claims(extra: #","sub":"a","pad":"\#(padding)""#))
        #expect(token.utf8.count > 16_384)
        #expect(rejection(token) == "token_too_large")
        // The limit itself is allowed: a token of exactly `maxTokenBytes` goes on to the next checks.
        let good = builder.token(claims())
        let exact = JWTValidator(
            issuers: [
                JWTIssuer(issuer: "https://idp", audiences: ["sg"], algorithms: ["RS256"], verifier: FakeVerifier())
            ], leeway: 0, maxTokenBytes: good.utf8.count)
        #expect((try? exact.validate(good, now: testNow).get()) != nil)
        #expect(exact.validate(good + "A", now: testNow) == .failure(.tooLarge))
        let small = JWTValidator(issuers: [], leeway: 0, maxTokenBytes: 10)
        if case .failure(let r) = small.validate("aaaa.bbbb.c", now: 0) {
            #expect(r == .tooLarge)
        } else {
            Issue.record()
        }
    }

    @Test(arguments: ["", "a", "a.b", "a.b.c.d", ".eyJ9.", "e30..", "..", "e30.e30", "e30.e30.x.", "e30.e30.!!"])
    func malformedShape(_ token: String) {
        #expect(rejection(token) == "malformed")
    }

    @Test func truncatedToken() {
        let token = builder.token(claims())
        #expect(rejection(String(token.prefix(token.count / 2))) == "malformed")
        let withoutSignature = String(token[..<token.lastIndex(of: ".")!])
        #expect(rejection(withoutSignature) == "malformed")
    }

    @Test func badBase64() {
        let good = builder.token(claims())
        let parts = good.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        #expect(rejection(parts[0] + "=." + parts[1] + "." + parts[2]) == "malformed")  // padding
        #expect(rejection(parts[0] + "." + parts[1] + "+." + parts[2]) == "malformed")  // std alphabet
        #expect(rejection(parts[0] + "." + parts[1] + "." + parts[2] + "/") == "malformed")
        #expect(rejection(parts[0] + " ." + parts[1] + "." + parts[2]) == "malformed")
    }

    @Test(arguments: [#"[1,2]"#, #""text""#, "42", "null", "{", #"{"a":1,"a":2}"#])
    func headerOrPayloadNotAJSONObject(_ json: String) {
        let asHeader = TestBase64.url(json) + "." + TestBase64.url(claims()) + ".AAAA"
        #expect(rejection(asHeader) == "malformed")
        #expect(rejection(builder.token(json)) == "malformed")
    }

    @Test(arguments: ["none", "None", "NONE", "nOnE"])
    func algNone(_ alg: String) {
        let unsigned = TestBase64.url(#"{"alg":"\#(alg)"}"#) + "." + TestBase64.url(claims()) + "."
        #expect(rejection(unsigned) == "alg_none")
        let signed = TokenBuilder(headerJSON: #"{"alg":"\#(alg)","kid":"k1"}"#, algorithmForSignature: alg)
        #expect(rejection(signed.token(claims())) == "alg_none")
    }

    @Test func headerRules() {
        #expect(rejection(TokenBuilder(headerJSON: #"{"kid":"k1"}"#).token(claims())) == "missing_alg")
        #expect(rejection(TokenBuilder(headerJSON: #"{"alg":256,"kid":"k1"}"#).token(claims())) == "missing_alg")
        #expect(
            rejection(TokenBuilder(headerJSON: #"{"alg":"RS256","kid":"k1","crit":["exp"]}"#).token(claims()))
                == "crit_unsupported")
        #expect(rejection(TokenBuilder(headerJSON: #"{"alg":"RS256","kid":7}"#).token(claims())) == "malformed_kid")
    }

    @Test func unknownIssuer() {
        #expect(rejection(builder.token(claims(iss: "https://evil"))) == "unknown_issuer")
        #expect(rejection(builder.token(claims(iss: "https://idp/"))) == "unknown_issuer")
        #expect(rejection(builder.token(#"{"aud":"sg","exp":\#(testNow + 60),"sub":"a"}"#)) == "unknown_issuer")
        #expect(rejection(builder.token(#"{"iss":["https://idp"],"aud":"sg","exp":1,"sub":"a"}"#)) == "unknown_issuer")
    }

    @Test func algorithmMustBeListedForTheIssuer() {
        // HS/RS confusion: an HS256 token claiming the RS256-only issuer is refused before its signature is looked at.
        let hs = TokenBuilder(headerJSON: #"{"alg":"HS256","kid":"k1"}"#, algorithmForSignature: "HS256")
        #expect(rejection(hs.token(claims())) == "alg_not_allowed")
        let rs = TokenBuilder(headerJSON: #"{"alg":"RS256","kid":"k1"}"#)
        #expect(rejection(rs.token(#"{"iss":"https://hs","exp":\#(testNow + 60),"email":"b"}"#)) == "alg_not_allowed")
        let lower = TokenBuilder(headerJSON: #"{"alg":"rs256","kid":"k1"}"#, algorithmForSignature: "rs256")
        #expect(rejection(lower.token(claims())) == "alg_not_allowed")
    }

    @Test func signature() {
        #expect(rejection(TokenBuilder(headerJSON: #"{"alg":"RS256","kid":"k9"}"#).token(claims())) == "unknown_kid")
        #expect(rejection(TokenBuilder(key: 8).token(claims())) == "bad_signature")
        // A signature made over other claims does not carry over.
        let good = builder.token(claims())
        let other = builder.token(claims(extra: #","sub":"mallory""#))
        let spliced = good[..<good.lastIndex(of: ".")!] + other[other.lastIndex(of: ".")!...]
        #expect(rejection(String(spliced)) == "bad_signature")
        // The signature is checked before the claims: an expired token with a bad signature says bad_signature.
        #expect(rejection(TokenBuilder(key: 8).token(claims(exp: "1"))) == "bad_signature")
    }

    @Test func expiryIsRequiredAndNumeric() {
        #expect(rejection(builder.token(#"{"iss":"https://idp","aud":"sg","sub":"a"}"#)) == "missing_exp")
        #expect(rejection(builder.token(claims(exp: #""\#(testNow + 60)""#))) == "missing_exp")
        #expect(rejection(builder.token(claims(exp: "null"))) == "missing_exp")
        #expect(rejection(builder.token(claims(exp: "1e300"))) == "invalid_date_claim")
    }

    @Test func optionalDatesMustBeNumbers() {
        #expect(rejection(builder.token(claims(extra: #","sub":"a","nbf":"soon""#))) == "invalid_date_claim")
        #expect(rejection(builder.token(claims(extra: #","sub":"a","iat":true"#))) == "invalid_date_claim")
    }

    @Test func expiredAndNotYetValidAndFuture() {
        #expect(rejection(builder.token(claims(exp: "\(testNow - 31)"))) == "expired")
        #expect(rejection(builder.token(claims(extra: #","sub":"a","nbf":\#(testNow + 31)"#))) == "not_yet_valid")
        #expect(rejection(builder.token(claims(extra: #","sub":"a","iat":\#(testNow + 31)"#))) == "issued_in_future")
    }

    @Test func userClaim() {
        #expect(rejection(builder.token(claims(extra: ""))) == "missing_user")
        #expect(rejection(builder.token(claims(extra: #","sub":"""#))) == "missing_user")
        #expect(rejection(builder.token(claims(extra: #","sub":42"#))) == "missing_user")
        // The HS issuer's user claim is `email`; `sub` does not stand in for it.
        let hs = TokenBuilder(headerJSON: #"{"alg":"HS256","kid":"k1"}"#, algorithmForSignature: "HS256")
        #expect(rejection(hs.token(#"{"iss":"https://hs","exp":\#(testNow + 60),"sub":"b"}"#)) == "missing_user")
    }

    @Test func nonStringJtiIsIgnored() throws {
        let verified = try validator.validate(builder.token(claims(extra: #","sub":"a","jti":5"#)), now: testNow).get()
        #expect(verified.jti == nil)
    }

    @Test func theVerifierSeesTheExactSigningInput() throws {
        let recorder = RecordingVerifier()
        let v = JWTValidator(
            issuers: [JWTIssuer(issuer: "https://idp", audiences: [], algorithms: ["ES256"], verifier: recorder)],
            leeway: 0)
        let header = TestBase64.url(#"{"alg":"ES256","kid":"kk"}"#)
        let payload = TestBase64.url(#"{"iss":"https://idp","exp":\#(testNow + 1),"sub":"a"}"#)
        _ = v.validate(header + "." + payload + "." + TestBase64.url([1, 2, 3]), now: testNow)
        let call = try #require(recorder.calls.withLock { $0.first })
        #expect(call.algorithm == "ES256" && call.keyID == "kk")
        #expect(call.signingInput == Array((header + "." + payload).utf8))
        #expect(call.signature == [1, 2, 3])
    }
}

final class RecordingVerifier: JWTSignatureVerifier {
    struct Call: Sendable {
        var algorithm: String
        var keyID: String?
        var signingInput: [UInt8]
        var signature: [UInt8]
    }
    let calls = Mutex<[Call]>([])

    func verify(algorithm: String, keyID: String?, signingInput: [UInt8], signature: [UInt8]) -> JWTSignatureCheck {
        calls.withLock {
            $0.append(Call(algorithm: algorithm, keyID: keyID, signingInput: signingInput, signature: signature))
        }
        return .valid
    }
}
