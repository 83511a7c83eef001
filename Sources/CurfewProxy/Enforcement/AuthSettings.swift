import CurfewConfig
import CurfewNet
import CurfewPolicy
import CurfewTLS

/// How to reach SG's admin API (session checks, and the `gateway_admin` pass-through).
struct SGAdminSettings: Sendable {
    let address: SocketAddress
    let serverName: String
    let tls: TLSClientContext?
    /// `Basic …` from `admin_username` / `admin_password_file`, or nil.
    let authorization: String?
    let timeout: Int64
    let description: String
}

/// Enforcement settings resolved from the config (key files read, verifiers built). Times in milliseconds.
struct AuthSettings: Sendable {
    let extractor: CredentialExtractor
    let jwt: JWTValidator?
    let basicMaxAge: Int64
    let sessionMaxAge: Int64
    let sessionRecheckInterval: Int64
    let sessionFailClosed: Bool
    let anonymousAllowed: Bool
    let maxConnectionAge: Int64
    /// The heartbeat timeout, or nil when heartbeats are off.
    let heartbeatTimeout: Int64?
    let refreshCredentials: Bool
    let sgAdmin: SGAdminSettings?
    /// The admin API token (`admin.token_file`), or nil without an admin listener.
    let adminToken: [UInt8]?
    /// How long a revocation is remembered: past every credential lifetime curfew enforces.
    let revocationRetention: Int64

    static func make(from config: ProxyConfig) throws(StartupError) -> AuthSettings {
        let credentials = config.credentials
        var validator: JWTValidator? = nil
        if let jwt = credentials.jwt {
            var issuers: [JWTIssuer] = []
            for issuer in jwt.issuers {
                let verifier: JWSVerifier
                do {
                    switch issuer.keySource {
                    case .jwksFile(let path):
                        let bytes = try readFile(path, what: "jwks_file")
                        verifier = JWSVerifier(keySet: try JWKSet(jsonData: bytes))
                    case .hmacSecretFile(let path):
                        verifier = JWSVerifier(hmacSecret: try readSecret(path))
                    }
                } catch let error as StartupError {
                    throw error
                } catch {
                    throw StartupError("issuer \(issuer.issuer): \(error)")
                }
                issuers.append(
                    JWTIssuer(
                        issuer: issuer.issuer, audiences: issuer.audiences,
                        algorithms: issuer.algorithms.map(\.rawValue), userClaim: issuer.userClaim, verifier: verifier))
            }
            validator = JWTValidator(issuers: issuers, leeway: jwt.leeway.milliseconds / 1000)
        }

        var sgAdmin: SGAdminSettings? = nil
        if let url = config.upstream.adminURL {
            let address: SocketAddress
            do { address = try SocketAddress(host: url.host, port: url.port) } catch {
                throw StartupError("cannot resolve upstream.admin_url \(url): \(error)")
            }
            var tls: TLSClientContext? = nil
            if url.scheme == .https {
                do { tls = try TLSClientContext(caFile: config.upstream.ca) } catch { throw StartupError("\(error)") }
            }
            var authorization: String? = nil
            if let user = config.upstream.adminUsername, let file = config.upstream.adminPasswordFile {
                let password = try readSecret(file)
                authorization = "Basic " + Base64.encode(Array(user.utf8) + [UInt8(ascii: ":")] + password)
            }
            sgAdmin = SGAdminSettings(
                address: address, serverName: url.host, tls: tls, authorization: authorization,
                timeout: config.upstream.connectTimeout.nanoseconds, description: url.description)
        }

        var adminToken: [UInt8]? = nil
        if let admin = config.admin {
            adminToken = try readSecret(admin.tokenFile)
            if adminToken!.isEmpty { throw StartupError("admin.token_file \(admin.tokenFile) is empty") }
        }

        let lifetimes: [Int64] = [
            credentials.basic.maxAge.milliseconds, credentials.session.maxAge.milliseconds,
            config.enforcement.maxConnectionAge.milliseconds, 24 * 3_600_000,
        ]
        return AuthSettings(
            extractor: CredentialExtractor(sessionCookieName: credentials.session.cookieName),
            jwt: validator,
            basicMaxAge: credentials.basic.maxAge.milliseconds,
            sessionMaxAge: credentials.session.maxAge.milliseconds,
            sessionRecheckInterval: credentials.session.recheckInterval.milliseconds,
            sessionFailClosed: credentials.session.onCheckFailure == .cut,
            anonymousAllowed: credentials.anonymous == .allow,
            maxConnectionAge: config.enforcement.maxConnectionAge.milliseconds,
            heartbeatTimeout: config.enforcement.heartbeat?.timeout.milliseconds,
            refreshCredentials: config.enforcement.heartbeat?.refreshCredentials ?? false,
            sgAdmin: sgAdmin,
            adminToken: adminToken,
            revocationRetention: lifetimes.max()!)
    }

    private static func readSecret(_ path: String) throws(StartupError) -> [UInt8] {
        do { return try SecretFile.read(path: path) } catch { throw StartupError("\(error)") }
    }

    private static func readFile(_ path: String, what: String) throws(StartupError) -> [UInt8] {
        // A JWKS file is not a secret, but the same bounded reader serves (whitespace at the end is harmless).
        do { return try SecretFile.read(path: path) } catch { throw StartupError("\(what): \(error)") }
    }
}
