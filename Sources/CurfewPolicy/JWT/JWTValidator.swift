/// Validates compact JWS bearer tokens (RFC 7515 / RFC 7519) against the configured issuers.
///
/// The order of checks is fixed and cheap-first: size, shape, base64url, header, issuer, algorithm, signature, and
/// only then the claims, so nothing about an unsigned payload influences more than the choice of issuer.
///
/// Time boundaries (`now` and all dates in unix seconds, `leeway` added on the lenient side):
/// - valid from `nbf - leeway` inclusive (RFC 7519 §4.1.5: "on or after");
/// - valid until `exp + leeway` *exclusive* (RFC 7519 §4.1.4: "before"); at exactly `exp + leeway` the token is
///   `expired`, which matches the connection deadline: the timer cuts at `deadline = exp + leeway`, so a token is never
///   accepted at an instant where a connection holding it would already be cut;
/// - `iat` may be at most `now + leeway`.
/// Decimal dates are rounded towards refusal: `exp` and `iat` down, `nbf` up.
public struct JWTValidator: Sendable {
    /// The JWS size limit; tokens are headers, and SG's own limit on header size is of this order.
    public static let defaultMaxTokenBytes = 16_384
    /// Dates beyond year 9999 are refused rather than risk overflow in `exp + leeway`.
    static let maxDate: Double = 253_402_300_799

    public let issuers: [String: JWTIssuer]
    /// Clock skew allowance in seconds.
    public let leeway: Int64
    public let maxTokenBytes: Int

    /// - Parameter issuers: when two share an `iss`, the first is used (config validation should refuse that).
    public init(issuers: [JWTIssuer], leeway: Int64, maxTokenBytes: Int = JWTValidator.defaultMaxTokenBytes) {
        var byName: [String: JWTIssuer] = [:]
        for issuer in issuers where byName[issuer.issuer] == nil { byName[issuer.issuer] = issuer }
        self.issuers = byName
        // Dates are bounded by `maxDate`, so with leeway at most a year `exp + leeway` cannot overflow.
        self.leeway = min(max(0, leeway), 366 * 86_400)
        self.maxTokenBytes = maxTokenBytes
    }

    public func validate(_ token: String, now: Int64) -> Result<VerifiedJWT, JWTRejection> {
        let bytes = Array(token.utf8)
        guard bytes.count <= maxTokenBytes else { return .failure(.tooLarge) }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
            let headerBytes = Base64.decode(parts[0], alphabet: .url),
            let payloadBytes = Base64.decode(parts[1], alphabet: .url),
            let signature = Base64.decode(parts[2], alphabet: .url),
            case .object(let header)? = JSONValue.parse(headerBytes),
            case .object(let claims)? = JSONValue.parse(payloadBytes)
        else { return .failure(.malformed) }

        guard case .string(let algorithm)? = header["alg"] else { return .failure(.missingAlgorithm) }
        if asciiCaseInsensitiveEquals(algorithm, "none") { return .failure(.algorithmNone) }
        if header["crit"] != nil { return .failure(.criticalHeader) }
        var keyID: String? = nil
        switch header["kid"] {
        case nil: break
        case .string(let kid)?: keyID = kid
        case _?: return .failure(.malformedKeyID)
        }

        guard case .string(let iss)? = claims["iss"], let issuer = issuers[iss] else {
            return .failure(.unknownIssuer)
        }
        guard issuer.algorithms.contains(algorithm) else { return .failure(.algorithmNotAllowed) }

        let signingInput = Array(bytes[..<parts[1].endIndex])
        switch issuer.verifier.verify(
            algorithm: algorithm, keyID: keyID, signingInput: signingInput, signature: signature)
        {
        case .valid: break
        case .unknownKey: return .failure(.unknownKeyID)
        case .invalid: return .failure(.badSignature)
        }

        if !issuer.audiences.isEmpty {
            let audiences: [String]
            switch claims["aud"] {
            case .string(let aud)?: audiences = [aud]
            case .array(let list)?:
                audiences = list.compactMap { if case .string(let s) = $0 { s } else { nil } }
            default: audiences = []
            }
            guard audiences.contains(where: issuer.audiences.contains) else { return .failure(.wrongAudience) }
        }

        guard case .number(let expValue)? = claims["exp"] else { return .failure(.missingExpiry) }
        guard let exp = Self.date(expValue, roundingUp: false) else { return .failure(.invalidDateClaim) }
        var notBefore: Int64? = nil
        if let value = claims["nbf"] {
            guard case .number(let n) = value, let nbf = Self.date(n, roundingUp: true) else {
                return .failure(.invalidDateClaim)
            }
            notBefore = nbf
        }
        var issuedAt: Int64? = nil
        if let value = claims["iat"] {
            guard case .number(let n) = value, let iat = Self.date(n, roundingUp: false) else {
                return .failure(.invalidDateClaim)
            }
            issuedAt = iat
        }

        let deadline = exp + leeway
        if now >= deadline { return .failure(.expired) }
        if let notBefore, notBefore - leeway > now { return .failure(.notYetValid) }
        if let issuedAt, issuedAt > now.saturatingAdd(leeway) { return .failure(.issuedInFuture) }

        guard case .string(let user)? = claims[issuer.userClaim], !user.isEmpty else { return .failure(.missingUser) }
        var jti: String? = nil
        if case .string(let id)? = claims["jti"] { jti = id }

        return .success(
            VerifiedJWT(
                user: user, issuer: iss, jti: jti, issuedAt: issuedAt, notBefore: notBefore, expiresAt: exp,
                deadline: deadline))
    }

    /// A NumericDate as whole seconds, or nil when out of range.
    static func date(_ value: Double, roundingUp: Bool) -> Int64? {
        guard value.isFinite, abs(value) <= maxDate else { return nil }
        return Int64(roundingUp ? value.rounded(.up) : value.rounded(.down))
    }
}
