/// `credentials`: how each kind of credential is checked and how long it may hold a connection open.
public struct CredentialsConfig: Sendable, Equatable {
    /// What to do with a replication request that carries no credential.
    public enum AnonymousPolicy: String, Sendable, Equatable, CaseIterable {
        case reject
        case allow
    }

    /// nil: JWTs are not accepted.
    public var jwt: JWTConfig?
    public var session: SessionConfig
    public var basic: BasicConfig
    public var anonymous: AnonymousPolicy

    public init(
        jwt: JWTConfig? = nil,
        session: SessionConfig = SessionConfig(),
        basic: BasicConfig = BasicConfig(),
        anonymous: AnonymousPolicy = .reject
    ) {
        self.jwt = jwt
        self.session = session
        self.basic = basic
        self.anonymous = anonymous
    }
}

/// `credentials.jwt`.
public struct JWTConfig: Sendable, Equatable {
    /// At least one.
    public var issuers: [JWTIssuerConfig]
    /// Clock skew allowed on `exp`, `nbf` and `iat`.
    public var leeway: Duration

    public init(issuers: [JWTIssuerConfig], leeway: Duration = .seconds(30)) {
        self.issuers = issuers
        self.leeway = leeway
    }
}

/// JWS algorithms a token may be signed with (RFC 7518 §3.1, RFC 8037 for EdDSA).
public enum JWTAlgorithm: String, Sendable, Equatable, Hashable, CaseIterable {
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case ps256 = "PS256"
    case es256 = "ES256"
    case es384 = "ES384"
    case edDSA = "EdDSA"
    case hs256 = "HS256"
    case hs384 = "HS384"
    case hs512 = "HS512"

    /// HS*: a shared secret, so only with `hmac_secret_file`; the others need public keys from `jwks_file`.
    public var isHMAC: Bool { rawValue.hasPrefix("HS") }
}

/// `credentials.jwt.issuers[]`.
public struct JWTIssuerConfig: Sendable, Equatable {
    /// Where the verification keys come from; exactly one per issuer.
    public enum KeySource: Sendable, Equatable {
        /// Absolute path of a JWKS document (public keys).
        case jwksFile(String)
        /// Absolute path of a secret file with the HMAC key (read with `SecretFile.read(path:)`).
        case hmacSecretFile(String)
    }

    /// The exact `iss` value.
    public var issuer: String
    /// A token's `aud` must contain one of these.
    public var audiences: [String]
    public var keySource: KeySource
    /// Accepted `alg` values; never empty, and consistent with `keySource`.
    public var algorithms: [JWTAlgorithm]
    /// The claim that names the Sync Gateway user.
    public var userClaim: String

    public init(
        issuer: String,
        audiences: [String],
        keySource: KeySource,
        algorithms: [JWTAlgorithm],
        userClaim: String = "sub"
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.keySource = keySource
        self.algorithms = algorithms
        self.userClaim = userClaim
    }
}

/// `credentials.session`: Sync Gateway session cookies.
public struct SessionConfig: Sendable, Equatable {
    /// What to do with open connections when Sync Gateway cannot be asked whether a session is still valid.
    public enum CheckFailurePolicy: String, Sendable, Equatable, CaseIterable {
        /// Keep the connection until its last known expiry.
        case keep
        /// Cut it.
        case cut
    }

    public var cookieName: String
    /// How often a session's expiry is asked of Sync Gateway again.
    public var recheckInterval: Duration
    /// A connection on a session is cut after this long whatever Sync Gateway says.
    public var maxAge: Duration
    public var onCheckFailure: CheckFailurePolicy
    /// Bound on the number of sessions tracked.
    public var tableSize: Int

    public init(
        cookieName: String = "SyncGatewaySession",
        recheckInterval: Duration = .seconds(30),
        maxAge: Duration = .seconds(24 * 3600),
        onCheckFailure: CheckFailurePolicy = .keep,
        tableSize: Int = 100_000
    ) {
        self.cookieName = cookieName
        self.recheckInterval = recheckInterval
        self.maxAge = maxAge
        self.onCheckFailure = onCheckFailure
        self.tableSize = tableSize
    }
}

/// `credentials.basic`: HTTP Basic credentials, which carry no expiry of their own.
public struct BasicConfig: Sendable, Equatable {
    /// A connection opened with Basic credentials is cut after this long.
    public var maxAge: Duration

    public init(maxAge: Duration = .seconds(3600)) {
        self.maxAge = maxAge
    }
}
