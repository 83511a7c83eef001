#if canImport(Glibc)
import Glibc
#endif

/// `--secret-file`, `--issuer`, `--audience`, `--exp`: what `cut` and `revoke` need to mint tokens curfew accepts.
struct JWTOptions {
    static let flags: Set<String> = ["secret-file", "issuer", "audience", "exp"]

    let mint: JWTMint
    /// Unix seconds.
    let exp: Int64

    init(_ args: Arguments) throws(UsageError) {
        let secret = try JWTMint.readSecret(try args.required("secret-file"))
        let issuer = try args.required("issuer")
        let audience = try args.required("audience")
        let rawExp = try args.required("exp")
        guard let exp = Int64(rawExp), exp > 0 else { throw UsageError("--exp must be Unix seconds, got '\(rawExp)'") }
        self.exp = exp
        mint = JWTMint(secret: secret, issuer: issuer, audience: audience)
    }

    /// A prefix that makes every `jti` of this run unique across runs (curfew's store remembers revoked ones).
    static func runID() -> String {
        let t = Clock.now()
        return String(UInt64(bitPattern: t) & 0xFFFF_FFFF_FFFF, radix: 36) + "-" + String(getpid(), radix: 36)
    }
}
