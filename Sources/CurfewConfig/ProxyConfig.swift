/// Everything `proxy.conf` says, typed and validated, with defaults applied and paths made absolute.
///
/// Built by `ConfigLoader` from a file, or in code (`ProxyConfig.defaults(listeners:upstream:)`) for
/// `curfew demo`. The defaults here are the ones `ConfigKeywords` documents; a test holds the two together.
public struct ProxyConfig: Sendable, Equatable {
    /// The absolute path of the config file this came from, or `"<code>"` for a config built in code.
    public var sourcePath: String
    /// Event-loop worker threads, 1...256.
    public var workers: Int
    /// At least one.
    public var listeners: [ListenerConfig]
    public var upstream: UpstreamConfig
    public var enforcement: EnforcementConfig
    public var log: LogConfig
    public var limits: LimitsConfig
    public var credentials: CredentialsConfig
    /// nil: no admin API.
    public var admin: AdminConfig?
    /// nil: no pass-through to Sync Gateway's admin API.
    public var gatewayAdmin: GatewayAdminConfig?

    public init(
        sourcePath: String = "<code>",
        workers: Int = ProxyConfig.defaultWorkers,
        listeners: [ListenerConfig],
        upstream: UpstreamConfig,
        enforcement: EnforcementConfig = EnforcementConfig(),
        log: LogConfig = LogConfig(),
        limits: LimitsConfig = LimitsConfig(),
        credentials: CredentialsConfig = CredentialsConfig(),
        admin: AdminConfig? = nil,
        gatewayAdmin: GatewayAdminConfig? = nil
    ) {
        self.sourcePath = sourcePath
        self.workers = workers
        self.listeners = listeners
        self.upstream = upstream
        self.enforcement = enforcement
        self.log = log
        self.limits = limits
        self.credentials = credentials
        self.admin = admin
        self.gatewayAdmin = gatewayAdmin
    }

    /// A config with every default, for the given listeners and upstream.
    public static func defaults(listeners: [ListenerConfig], upstream: UpstreamURL) -> ProxyConfig {
        ProxyConfig(listeners: listeners, upstream: UpstreamConfig(url: upstream))
    }

    /// The number of online cores, clamped to 1...256: the default for `workers`.
    public static var defaultWorkers: Int { onlineProcessorCount() }
}

/// `listeners[]`: one address to accept clients on.
public struct ListenerConfig: Sendable, Equatable {
    public var address: SocketAddressSpec
    /// nil: plain HTTP (the loader warns).
    public var tls: TLSConfig?

    public init(address: SocketAddressSpec, tls: TLSConfig? = nil) {
        self.address = address
        self.tls = tls
    }
}

/// `listeners[].tls`.
public struct TLSConfig: Sendable, Equatable {
    /// Where the server certificate comes from.
    public enum Identity: Sendable, Equatable {
        /// PEM files (absolute paths): the certificate chain and its private key.
        case files(certificate: String, privateKey: String)
        /// A certificate for `localhost` made in memory at start-up: development only.
        case selfSigned
    }

    /// Whether clients must present a certificate (mTLS).
    public enum ClientCertificateMode: String, Sendable, Equatable, CaseIterable {
        case off
        case optional
        case required
    }

    public var identity: Identity
    /// PEM bundle of CAs that client certificates must chain to; required unless `clientCertificate` is `.off`.
    public var clientCA: String?
    public var clientCertificate: ClientCertificateMode

    public init(identity: Identity, clientCA: String? = nil, clientCertificate: ClientCertificateMode = .off) {
        self.identity = identity
        self.clientCA = clientCA
        self.clientCertificate = clientCertificate
    }
}

/// `upstream`: the Sync Gateway behind the proxy.
public struct UpstreamConfig: Sendable, Equatable {
    public var url: UpstreamURL
    /// PEM bundle to verify an https upstream; nil: the system CAs.
    public var ca: String?
    public var connectTimeout: Duration
    /// Sync Gateway's admin API (session checks, `gateway_admin`); nil: none.
    public var adminURL: UpstreamURL?
    public var adminUsername: String?
    /// Absolute path of a secret file (read with `SecretFile.read(path:)` by the runtime).
    public var adminPasswordFile: String?
    /// Per worker: idle keep-alive connections kept to Sync Gateway.
    public var maxIdleConnections: Int
    /// How long a pooled upstream connection may sit idle.
    public var idleTimeout: Duration

    public init(
        url: UpstreamURL,
        ca: String? = nil,
        connectTimeout: Duration = .seconds(5),
        adminURL: UpstreamURL? = nil,
        adminUsername: String? = nil,
        adminPasswordFile: String? = nil,
        maxIdleConnections: Int = 64,
        idleTimeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.ca = ca
        self.connectTimeout = connectTimeout
        self.adminURL = adminURL
        self.adminUsername = adminUsername
        self.adminPasswordFile = adminPasswordFile
        self.maxIdleConnections = maxIdleConnections
        self.idleTimeout = idleTimeout
    }
}

/// `admin`: curfew's own admin API (revocation, listing connections).
public struct AdminConfig: Sendable, Equatable {
    public var address: SocketAddressSpec
    /// Absolute path of the secret file holding the bearer token.
    public var tokenFile: String

    public init(address: SocketAddressSpec, tokenFile: String) {
        self.address = address
        self.tokenFile = tokenFile
    }
}

/// `gateway_admin`: a listener that passes requests through to `upstream.admin_url`.
public struct GatewayAdminConfig: Sendable, Equatable {
    public var address: SocketAddressSpec

    public init(address: SocketAddressSpec) {
        self.address = address
    }
}
