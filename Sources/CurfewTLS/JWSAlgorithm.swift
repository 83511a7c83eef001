internal import COpenSSL

/// The JOSE `alg` values curfew verifies (RFC 7518 §3, RFC 8037 for EdDSA). `none` is deliberately absent.
enum JWSAlgorithm: Sendable, Equatable {
    enum DigestSize: Sendable, Equatable { case sha256, sha384, sha512 }

    /// RSASSA-PKCS1-v1_5.
    case rs(DigestSize)
    /// RSASSA-PSS with MGF1 over the same digest and a salt as long as the digest.
    case ps(DigestSize)
    /// ECDSA on the curve the algorithm names (ES256: P-256, ES384: P-384, ES512: P-521).
    case es(DigestSize, ECCurve)
    /// Ed25519.
    case edDSA
    /// HMAC.
    case hs(DigestSize)

    init?(_ name: String) {
        switch name {
        case "RS256": self = .rs(.sha256)
        case "RS384": self = .rs(.sha384)
        case "RS512": self = .rs(.sha512)
        case "PS256": self = .ps(.sha256)
        case "PS384": self = .ps(.sha384)
        case "PS512": self = .ps(.sha512)
        case "ES256": self = .es(.sha256, .p256)
        case "ES384": self = .es(.sha384, .p384)
        case "ES512": self = .es(.sha512, .p521)
        case "EdDSA": self = .edDSA
        case "HS256": self = .hs(.sha256)
        case "HS384": self = .hs(.sha384)
        case "HS512": self = .hs(.sha512)
        default: return nil
        }
    }

    /// Whether a public key of `type` may verify this algorithm. HMAC fits no public key: a token that says HS256
    /// must never be checked with an RSA key's bytes as the secret (the classic algorithm-confusion attack).
    func fits(_ type: JWKType) -> Bool {
        switch (self, type) {
        case (.rs, .rsa), (.ps, .rsa), (.edDSA, .ed25519): true
        case (.es(_, let wanted), .ec(let curve)): wanted == curve
        default: false
        }
    }
}

extension JWSAlgorithm.DigestSize {
    var md: OpaquePointer {
        switch self {
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }
}
