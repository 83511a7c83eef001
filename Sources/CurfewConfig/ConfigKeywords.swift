/// The key table of `proxy.conf`: every key, once, with its type, default and meaning (haproxy keeps its
/// keyword tables next to the subsystem the same way). Paths use `[]` for "each element of the array".
public enum ConfigKeywords {
    private static let anyDuration = Duration.zero...Duration.seconds(100 * 365 * 86_400)
    private static let positiveDuration = Duration.milliseconds(1)...Duration.seconds(100 * 365 * 86_400)

    /// Every key, in the order the documentation presents them.
    public static let all: [ConfigKey] = [
        ConfigKey(
            "workers", .integer(1...256), .optional("the number of online cores"),
            "Event-loop worker threads."),

        ConfigKey("listeners", .objectList, .required, "Addresses to accept clients on; at least one."),
        ConfigKey(
            "listeners[].address", .address, .required,
            "\"host:port\" to listen on: IPv4, [IPv6] or localhost; port 0 lets the kernel pick."),
        ConfigKey("listeners[].tls", .object, .optional("plain HTTP (warns)"), "TLS for this listener."),
        ConfigKey(
            "listeners[].tls.certificate", .path, .optional("required unless self_signed"),
            "PEM file with the server certificate chain, leaf first."),
        ConfigKey(
            "listeners[].tls.private_key", .path, .optional("required unless self_signed"),
            "PEM file with the certificate's private key."),
        ConfigKey(
            "listeners[].tls.self_signed", .boolean, .defaulted("false"),
            "true: an in-memory certificate for localhost and no files; development only (warns)."),
        ConfigKey(
            "listeners[].tls.client_ca", .path, .optional("no client certificates"),
            "PEM bundle of CAs client certificates must chain to (mTLS)."),
        ConfigKey(
            "listeners[].tls.client_certificate", .choice(names(TLSConfig.ClientCertificateMode.self)),
            .defaulted("off"), "Ask clients for a certificate; optional or required need client_ca."),

        ConfigKey("upstream", .object, .required, "The Sync Gateway behind the proxy."),
        ConfigKey(
            "upstream.url", .url, .required,
            "Sync Gateway's public REST API: http or https, host, port (default 80/443), no path."),
        ConfigKey(
            "upstream.ca", .path, .optional("the system CAs"),
            "PEM bundle to verify an https upstream (url and admin_url)."),
        ConfigKey(
            "upstream.connect_timeout", .duration(positiveDuration), .defaulted("5s"),
            "Time allowed to connect (and handshake) to Sync Gateway."),
        ConfigKey(
            "upstream.admin_url", .url, .optional("none"),
            "Sync Gateway's admin API, used to check sessions and by gateway_admin."),
        ConfigKey(
            "upstream.admin_username", .string, .optional("no authentication"),
            "User for the admin API; needs admin_password_file."),
        ConfigKey(
            "upstream.admin_password_file", .secretPath, .optional("no authentication"),
            "File holding the admin API password (trailing newlines removed); needs admin_username."),
        ConfigKey(
            "upstream.max_idle_connections", .integer(0...100_000), .defaulted("64"),
            "Per worker: idle keep-alive connections kept open to Sync Gateway; 0 disables pooling."),
        ConfigKey(
            "upstream.idle_timeout", .duration(positiveDuration), .defaulted("60s"),
            "How long a pooled upstream connection may stay idle."),

        ConfigKey("enforcement", .object, .optional("all defaults"), "When and how websockets are cut."),
        ConfigKey(
            "enforcement.close_code", .integer(1000...4999), .defaulted("4001"),
            "Websocket close code sent when a connection is cut; must be valid to send (RFC 6455 7.4)."),
        ConfigKey(
            "enforcement.close_grace", .duration(anyDuration), .defaulted("1s"),
            "Time the client gets to answer the close frame before the TCP connection is dropped."),
        ConfigKey(
            "enforcement.shutdown_grace", .duration(anyDuration), .defaulted("10s"),
            "On shutdown, time open connections get before they are cut."),
        ConfigKey(
            "enforcement.max_connection_age", .duration(positiveDuration), .defaulted("12h"),
            "Any websocket is cut after this long, whatever its credential says."),
        ConfigKey(
            "enforcement.tick", .duration(.milliseconds(1)...(.seconds(1))), .defaulted("10ms"),
            "Timer resolution: deadlines fire at most this late. 1ms...1s."),
        ConfigKey(
            "enforcement.heartbeat", .object, .optional("no heartbeat"),
            "Require an authenticated heartbeat from each websocket client."),
        ConfigKey(
            "enforcement.heartbeat.timeout", .duration(positiveDuration), .defaulted("5m"),
            "A websocket without a valid heartbeat for this long is cut."),
        ConfigKey(
            "enforcement.heartbeat.refresh_credentials", .boolean, .defaulted("true"),
            "A heartbeat carrying a newer credential extends the connection's expiry."),

        ConfigKey("log", .object, .optional("all defaults"), "Logging: one line per event, on standard output."),
        ConfigKey(
            "log.format", .choice(names(LogConfig.Format.self)), .defaulted("json"),
            "json: one JSON object per line; text: for people at a terminal."),
        ConfigKey(
            "log.level", .choice(names(LogConfig.Level.self)), .defaulted("info"),
            "Least severe level logged."),

        ConfigKey("limits", .object, .optional("all defaults"), "Bounds on what clients may send."),
        ConfigKey(
            "limits.header_timeout", .duration(positiveDuration), .defaulted("10s"),
            "Total time to receive a request head."),
        ConfigKey(
            "limits.request_line", .integer(64...1_048_576), .defaulted("8192"),
            "Most bytes in a request line (inclusive)."),
        ConfigKey(
            "limits.header_block", .integer(256...16_777_216), .defaulted("32768"),
            "Most bytes in a request head (inclusive)."),
        ConfigKey(
            "limits.header_fields", .integer(1...10_000), .defaulted("100"),
            "Most header fields in a request (inclusive)."),
        ConfigKey(
            "limits.keepalive_timeout", .duration(positiveDuration), .defaulted("75s"),
            "How long an idle client keep-alive (REST) connection is kept."),

        ConfigKey("credentials", .object, .optional("all defaults"), "How credentials are checked."),
        ConfigKey("credentials.jwt", .object, .optional("JWTs are not accepted"), "Bearer JWTs."),
        ConfigKey("credentials.jwt.issuers", .objectList, .required, "Trusted token issuers; at least one."),
        ConfigKey("credentials.jwt.issuers[].issuer", .string, .required, "The exact \"iss\" claim."),
        ConfigKey(
            "credentials.jwt.issuers[].audiences", .stringList, .required,
            "The \"aud\" claim must contain one of these; at least one."),
        ConfigKey(
            "credentials.jwt.issuers[].jwks_file", .path, .optional("use hmac_secret_file"),
            "JWKS file with the issuer's public keys; exactly one of jwks_file and hmac_secret_file."),
        ConfigKey(
            "credentials.jwt.issuers[].hmac_secret_file", .secretPath, .optional("use jwks_file"),
            "File holding the HMAC key (trailing newlines removed); only with HS* algorithms."),
        ConfigKey(
            "credentials.jwt.issuers[].algorithms",
            .choiceList(names(JWTAlgorithm.self)), .required,
            "Accepted \"alg\" values, at least one: HS* only with hmac_secret_file, others only with jwks_file."),
        ConfigKey(
            "credentials.jwt.issuers[].user_claim", .string, .defaulted("sub"),
            "Claim that names the Sync Gateway user."),
        ConfigKey(
            "credentials.jwt.leeway", .duration(.zero...(.seconds(3600))), .defaulted("30s"),
            "Clock skew allowed on exp, nbf and iat; at most 1h."),
        ConfigKey("credentials.session", .object, .optional("all defaults"), "Sync Gateway session cookies."),
        ConfigKey(
            "credentials.session.cookie_name", .string, .defaulted("SyncGatewaySession"),
            "Name of Sync Gateway's session cookie."),
        ConfigKey(
            "credentials.session.recheck_interval", .duration(positiveDuration), .defaulted("30s"),
            "How often Sync Gateway is asked again whether a session is still valid."),
        ConfigKey(
            "credentials.session.max_age", .duration(positiveDuration), .defaulted("24h"),
            "A websocket on a session is cut after this long."),
        ConfigKey(
            "credentials.session.on_check_failure", .choice(names(SessionConfig.CheckFailurePolicy.self)),
            .defaulted("keep"),
            "When Sync Gateway cannot be asked: keep connections to their known expiry, or cut them."),
        ConfigKey(
            "credentials.session.table_size", .integer(1...10_000_000), .defaulted("100000"),
            "Most sessions tracked at once."),
        ConfigKey("credentials.basic", .object, .optional("all defaults"), "HTTP Basic credentials."),
        ConfigKey(
            "credentials.basic.max_age", .duration(positiveDuration), .defaulted("1h"),
            "A websocket opened with Basic credentials is cut after this long."),
        ConfigKey(
            "credentials.anonymous", .choice(names(CredentialsConfig.AnonymousPolicy.self)), .defaulted("reject"),
            "Requests without a credential: reject, or pass to Sync Gateway (as its GUEST user)."),

        ConfigKey("admin", .object, .optional("no admin API"), "curfew's admin API (plain HTTP, bearer token)."),
        ConfigKey("admin.address", .address, .required, "\"host:port\" for the admin API; keep it on loopback."),
        ConfigKey(
            "admin.token_file", .secretPath, .required,
            "File holding the admin bearer token (trailing newlines removed)."),

        ConfigKey(
            "gateway_admin", .object, .optional("no pass-through"),
            "A listener that passes requests through to upstream.admin_url."),
        ConfigKey("gateway_admin.address", .address, .required, "\"host:port\" to listen on; keep it on loopback."),
    ]

    /// `all`, by path.
    public static let byPath: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })

    /// The keys directly inside the object at `parentPath` (`""` for the top level), in table order.
    public static func children(of parentPath: String) -> [ConfigKey] {
        childrenByParent[parentPath] ?? []
    }

    /// The choices of a string enum, so the table and the loader cannot disagree.
    private static func names<E: CaseIterable & RawRepresentable>(_: E.Type) -> [String] where E.RawValue == String {
        E.allCases.map(\.rawValue)
    }

    private static let childrenByParent: [String: [ConfigKey]] = Dictionary(grouping: all, by: \.parentPath)
}
