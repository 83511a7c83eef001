/// Why a bearer token was refused. `reason` is stable (logs, metrics labels, tests); it never contains token text.
public enum JWTRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Longer than the validator's maximum (16 KiB by default), refused before any decoding.
    case tooLarge
    /// Not three dot-separated parts, not strict base64url, or header/payload not a JSON object.
    case malformed
    /// The header has no string `alg`.
    case missingAlgorithm
    /// `alg` is `none` (in any letter case): an unsigned token.
    case algorithmNone
    /// The header has `crit`: curfew understands no extensions, and RFC 7515 §4.1.11 says to refuse then.
    case criticalHeader
    /// `kid` is present but not a string.
    case malformedKeyID
    /// No configured issuer has this `iss` (or `iss` is missing or not a string).
    case unknownIssuer
    /// `alg` is not in the issuer's list.
    case algorithmNotAllowed
    /// The verifier has no key for this `kid`.
    case unknownKeyID
    case badSignature
    /// `aud` does not name any configured audience (or is missing while audiences are configured).
    case wrongAudience
    /// `exp` is missing or not a number; curfew cannot cut a connection without it.
    case missingExpiry
    /// `nbf` or `iat` is present but not a number, or a date is out of range.
    case invalidDateClaim
    case expired
    case notYetValid
    case issuedInFuture
    /// The user claim is missing, not a string, or empty.
    case missingUser

    public var reason: String {
        switch self {
        case .tooLarge: "token_too_large"
        case .malformed: "malformed"
        case .missingAlgorithm: "missing_alg"
        case .algorithmNone: "alg_none"
        case .criticalHeader: "crit_unsupported"
        case .malformedKeyID: "malformed_kid"
        case .unknownIssuer: "unknown_issuer"
        case .algorithmNotAllowed: "alg_not_allowed"
        case .unknownKeyID: "unknown_kid"
        case .badSignature: "bad_signature"
        case .wrongAudience: "wrong_audience"
        case .missingExpiry: "missing_exp"
        case .invalidDateClaim: "invalid_date_claim"
        case .expired: "expired"
        case .notYetValid: "not_yet_valid"
        case .issuedInFuture: "issued_in_future"
        case .missingUser: "missing_user"
        }
    }

    public var description: String { reason }
}
