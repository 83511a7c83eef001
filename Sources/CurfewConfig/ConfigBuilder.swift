/// Turns a decoded config tree into a `ProxyConfig`: reads each section through `ObjectReader` (which knows
/// the key table), fills in defaults, then checks the rules that span keys and collects warnings.
struct ConfigBuilder {
    let context: ConfigContext
    private(set) var warnings: [String] = []

    init(context: ConfigContext) {
        self.context = context
    }

    mutating func build(_ tree: JSONValue, sourcePath: String) throws(ConfigError) -> LoadedConfig {
        let root = try ObjectReader(tree, at: .root, key: nil, context: context)

        let listenerReaders = try root.require(root.objectList("listeners"), "listeners")
        guard !listenerReaders.isEmpty else {
            throw context.invalid(ConfigPath.root.child("listeners"), "at least one listener is required")
        }
        var listeners: [ListenerConfig] = []
        for reader in listenerReaders { listeners.append(try listener(reader)) }

        let upstreamConfig = try upstream(root.require(root.object("upstream"), "upstream"))
        var config = ProxyConfig(
            sourcePath: sourcePath,
            workers: try root.integer("workers") ?? ProxyConfig.defaultWorkers,
            listeners: listeners,
            upstream: upstreamConfig)
        if let r = try root.object("enforcement") { config.enforcement = try enforcement(r) }
        if let r = try root.object("log") { config.log = try log(r) }
        if let r = try root.object("limits") { config.limits = try limits(r) }
        if let r = try root.object("credentials") { config.credentials = try credentials(r) }
        if let r = try root.object("admin") {
            config.admin = AdminConfig(
                address: try r.require(r.address("address"), "address"),
                tokenFile: try r.require(r.path("token_file"), "token_file"))
        }
        if let r = try root.object("gateway_admin") {
            config.gatewayAdmin = GatewayAdminConfig(address: try r.require(r.address("address"), "address"))
        }
        try checkAcrossSections(config)
        return LoadedConfig(config: config, warnings: warnings)
    }

    private mutating func listener(_ r: ObjectReader) throws(ConfigError) -> ListenerConfig {
        let address = try r.require(r.address("address"), "address")
        guard let t = try r.object("tls") else {
            warnings.append(
                "\(r.path.concrete) (\(address)): no \"tls\": plain HTTP, credentials cross the network in clear text")
            return ListenerConfig(address: address)
        }
        let certificate = try t.path("certificate")
        let privateKey = try t.path("private_key")
        let identity: TLSConfig.Identity
        if try t.boolean("self_signed") ?? false {
            guard certificate == nil, privateKey == nil else {
                throw conflict(
                    t.path, "\"self_signed\": true cannot be combined with \"certificate\" or \"private_key\"")
            }
            identity = .selfSigned
            warnings.append(
                "\(t.path.concrete).self_signed: an in-memory certificate for localhost; for development only")
        } else {
            identity = .files(
                certificate: try t.require(certificate, "certificate"),
                privateKey: try t.require(privateKey, "private_key"))
        }
        let mode = try t.choice("client_certificate", as: TLSConfig.ClientCertificateMode.self) ?? .off
        let clientCA = try t.path("client_ca")
        if mode != .off && clientCA == nil {
            throw conflict(t.path, "\"client_certificate\": \"\(mode.rawValue)\" needs \"client_ca\"")
        }
        return ListenerConfig(
            address: address, tls: TLSConfig(identity: identity, clientCA: clientCA, clientCertificate: mode))
    }

    private mutating func upstream(_ r: ObjectReader) throws(ConfigError) -> UpstreamConfig {
        var u = UpstreamConfig(url: try r.require(r.url("url"), "url"))
        u.ca = try r.path("ca")
        u.connectTimeout = try r.duration("connect_timeout") ?? u.connectTimeout
        u.adminURL = try r.url("admin_url")
        u.adminUsername = try r.string("admin_username")
        u.adminPasswordFile = try r.path("admin_password_file")
        u.maxIdleConnections = try r.integer("max_idle_connections") ?? u.maxIdleConnections
        u.idleTimeout = try r.duration("idle_timeout") ?? u.idleTimeout
        if (u.adminUsername == nil) != (u.adminPasswordFile == nil) {
            throw conflict(r.path, "\"admin_username\" and \"admin_password_file\" go together")
        }
        if u.adminUsername != nil && u.adminURL == nil {
            throw conflict(r.path, "\"admin_username\" needs \"admin_url\"")
        }
        if u.ca != nil && u.url.scheme != .https && u.adminURL?.scheme != .https {
            warnings.append(
                "upstream.ca is set but neither upstream.url nor upstream.admin_url uses https; it is unused")
        }
        return u
    }

    private func enforcement(_ r: ObjectReader) throws(ConfigError) -> EnforcementConfig {
        var e = EnforcementConfig()
        if let code = try r.integer("close_code") {
            guard EnforcementConfig.isValidToSend(closeCode: code) else {
                throw context.invalid(
                    r.path.child("close_code"),
                    "\(code) may not be sent in a close frame (RFC 6455 7.4); use 1000-1003, 1007-1014 or 3000-4999")
            }
            e.closeCode = UInt16(code)
        }
        e.closeGrace = try r.duration("close_grace") ?? e.closeGrace
        e.shutdownGrace = try r.duration("shutdown_grace") ?? e.shutdownGrace
        e.maxConnectionAge = try r.duration("max_connection_age") ?? e.maxConnectionAge
        e.tick = try r.duration("tick") ?? e.tick
        if let h = try r.object("heartbeat") {
            var heartbeat = HeartbeatConfig()
            heartbeat.timeout = try h.duration("timeout") ?? heartbeat.timeout
            heartbeat.refreshCredentials = try h.boolean("refresh_credentials") ?? heartbeat.refreshCredentials
            e.heartbeat = heartbeat
        }
        return e
    }

    private func log(_ r: ObjectReader) throws(ConfigError) -> LogConfig {
        var l = LogConfig()
        l.format = try r.choice("format", as: LogConfig.Format.self) ?? l.format
        l.level = try r.choice("level", as: LogConfig.Level.self) ?? l.level
        return l
    }

    private func limits(_ r: ObjectReader) throws(ConfigError) -> LimitsConfig {
        var l = LimitsConfig()
        l.headerTimeout = try r.duration("header_timeout") ?? l.headerTimeout
        l.requestLine = try r.integer("request_line") ?? l.requestLine
        l.headerBlock = try r.integer("header_block") ?? l.headerBlock
        l.headerFields = try r.integer("header_fields") ?? l.headerFields
        l.keepaliveTimeout = try r.duration("keepalive_timeout") ?? l.keepaliveTimeout
        if l.requestLine > l.headerBlock {
            throw conflict(
                r.path, "\"request_line\" (\(l.requestLine)) cannot exceed \"header_block\" (\(l.headerBlock))")
        }
        return l
    }

    private func credentials(_ r: ObjectReader) throws(ConfigError) -> CredentialsConfig {
        var c = CredentialsConfig()
        if let j = try r.object("jwt") {
            let issuerReaders = try j.require(j.objectList("issuers"), "issuers")
            guard !issuerReaders.isEmpty else {
                throw context.invalid(j.path.child("issuers"), "at least one issuer is required")
            }
            var issuers: [JWTIssuerConfig] = []
            for ir in issuerReaders {
                let issuer = try jwtIssuer(ir)
                if issuers.contains(where: { $0.issuer == issuer.issuer }) {
                    throw conflict(ir.path, "issuer \(quoted(issuer.issuer)) is listed twice")
                }
                issuers.append(issuer)
            }
            var jwt = JWTConfig(issuers: issuers)
            jwt.leeway = try j.duration("leeway") ?? jwt.leeway
            c.jwt = jwt
        }
        if let s = try r.object("session") {
            var session = SessionConfig()
            session.cookieName = try s.string("cookie_name") ?? session.cookieName
            session.recheckInterval = try s.duration("recheck_interval") ?? session.recheckInterval
            session.maxAge = try s.duration("max_age") ?? session.maxAge
            session.onCheckFailure =
                try s.choice("on_check_failure", as: SessionConfig.CheckFailurePolicy.self) ?? session.onCheckFailure
            session.tableSize = try s.integer("table_size") ?? session.tableSize
            c.session = session
        }
        if let b = try r.object("basic") {
            c.basic.maxAge = try b.duration("max_age") ?? c.basic.maxAge
        }
        c.anonymous = try r.choice("anonymous", as: CredentialsConfig.AnonymousPolicy.self) ?? c.anonymous
        return c
    }

    private func jwtIssuer(_ r: ObjectReader) throws(ConfigError) -> JWTIssuerConfig {
        let issuer = try r.require(r.string("issuer"), "issuer")
        let audiences = try r.require(r.stringList("audiences"), "audiences")
        if audiences.isEmpty { throw context.invalid(r.path.child("audiences"), "at least one audience is required") }
        let algorithms = try r.require(r.choiceList("algorithms", as: JWTAlgorithm.self), "algorithms")
        if algorithms.isEmpty {
            throw context.invalid(r.path.child("algorithms"), "at least one algorithm is required")
        }
        let keySource: JWTIssuerConfig.KeySource
        switch (try r.path("jwks_file"), try r.path("hmac_secret_file")) {
        case (let jwks?, nil):
            keySource = .jwksFile(jwks)
            if let hs = algorithms.first(where: \.isHMAC) {
                throw conflict(r.path, "algorithm \"\(hs.rawValue)\" needs \"hmac_secret_file\", not \"jwks_file\"")
            }
        case (nil, let secret?):
            keySource = .hmacSecretFile(secret)
            if let other = algorithms.first(where: { !$0.isHMAC }) {
                throw conflict(r.path, "algorithm \"\(other.rawValue)\" needs \"jwks_file\", not \"hmac_secret_file\"")
            }
        case (.some, .some):
            throw conflict(r.path, "set exactly one of \"jwks_file\" and \"hmac_secret_file\", not both")
        case (nil, nil):
            throw conflict(r.path, "set exactly one of \"jwks_file\" and \"hmac_secret_file\"")
        }
        return JWTIssuerConfig(
            issuer: issuer, audiences: audiences, keySource: keySource, algorithms: algorithms,
            userClaim: try r.string("user_claim") ?? "sub")
    }

    /// Rules between sections, and warnings about the whole.
    private mutating func checkAcrossSections(_ config: ProxyConfig) throws(ConfigError) {
        if config.gatewayAdmin != nil && config.upstream.adminURL == nil {
            throw context.error(.conflict, "\"gateway_admin\" needs \"upstream.admin_url\"")
        }
        // Two listeners on one address would fail at bind time with a less helpful message; port 0 never clashes.
        var seen: [SocketAddressSpec: String] = [:]
        var named = config.listeners.enumerated().map { ("listeners[\($0.offset)]", $0.element.address) }
        if let admin = config.admin { named.append(("admin", admin.address)) }
        if let gateway = config.gatewayAdmin { named.append(("gateway_admin", gateway.address)) }
        for (name, address) in named where address.port != 0 {
            if let first = seen[address] {
                throw context.error(
                    .conflict, "\(quoted(name + ".address")) \(address) is also used by \(quoted(first + ".address"))")
            }
            seen[address] = name
        }
        if let admin = config.admin, !admin.address.isLoopback {
            warnings.append("admin.address \(admin.address) is not loopback: the admin API is plain HTTP")
        }
        if let gateway = config.gatewayAdmin, !gateway.address.isLoopback {
            warnings.append(
                "gateway_admin.address \(gateway.address) is not loopback: it exposes Sync Gateway's admin API")
        }
    }

    private func conflict(_ path: ConfigPath, _ message: String) -> ConfigError {
        context.error(.conflict, "\(quoted(path.concrete)): \(message)")
    }
}
