/// What curfew accepts from one token issuer (one `iss` value).
public struct JWTIssuer: Sendable {
    /// The exact `iss` claim value.
    public var issuer: String
    /// Accepted `aud` values; a token must name at least one. Empty means the audience is not checked.
    public var audiences: [String]
    /// The JOSE `alg` values this issuer signs with, e.g. `["RS256"]`. Listing them per issuer is what stops HS/RS
    /// key confusion: a token cannot choose an algorithm the issuer's keys were not configured for.
    public var algorithms: [String]
    /// The claim naming the Sync Gateway user (SG's `username_claim`; default `sub`).
    public var userClaim: String
    /// Does the cryptography (the OpenSSL implementation lives in CurfewTLS).
    public var verifier: any JWTSignatureVerifier

    public init(
        issuer: String,
        audiences: [String],
        algorithms: [String],
        userClaim: String = "sub",
        verifier: any JWTSignatureVerifier
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.algorithms = algorithms
        self.userClaim = userClaim
        self.verifier = verifier
    }
}
