import CurfewConfig
import CurfewHTTP
import CurfewNet
import CurfewTLS

/// Which API a listener serves.
enum ListenerRole: String, Sendable {
    /// The client side: SG's public REST API and `_blipsync`, with enforcement.
    case `public`
    /// The pass-through to SG's admin API (`gateway_admin`).
    case gatewayAdmin = "gateway_admin"
    /// curfew's own admin API (`admin`).
    case admin
}

struct ListenerSettings: Sendable {
    let role: ListenerRole
    let address: SocketAddress
    let tls: TLSServerContext?
    /// Index in `RuntimeSettings.listeners`: a reload matches listeners by position.
    let position: Int
}

struct UpstreamSettings: Sendable {
    let address: SocketAddress
    /// The host name used for SNI and certificate verification.
    let serverName: String
    let tls: TLSClientContext?
    let connectTimeout: Int64
    let maxIdleConnections: Int
    let idleTimeout: Int64
    /// For logs.
    let description: String
}

/// Everything a worker needs, resolved once (files read, TLS contexts built, addresses resolved) and then
/// shared read-only by every worker. A reload builds a new one and hands it to the workers.
struct RuntimeSettings: Sendable {
    let config: ProxyConfig
    let listeners: [ListenerSettings]
    let upstream: UpstreamSettings
    /// SG's admin API as the target of the `gateway_admin` pass-through (nil without `upstream.admin_url`).
    let gatewayAdminUpstream: UpstreamSettings?
    let limits: HTTPLimits
    let headerTimeout: Int64
    let keepAliveTimeout: Int64
    let closeCode: UInt16
    let closeGrace: Int64
    let shutdownGrace: Int64
    let tick: Int64
    /// `CURFEW_TEST_HOOKS=1` enables `POST /_curfew/test/cut` (never set it in production).
    let testHooks: Bool
    let auth: AuthSettings

    /// Reads certificates and keys and resolves addresses. Errors are one line, meant for stderr (exit 1).
    static func make(from config: ProxyConfig, testHooks: Bool) throws(StartupError) -> RuntimeSettings {
        var listeners: [ListenerSettings] = []
        for listener in config.listeners {
            let address = try resolve(listener.address.host, listener.address.port, what: "listener")
            var tls: TLSServerContext? = nil
            if let t = listener.tls {
                do {
                    switch t.identity {
                    case .selfSigned:
                        tls = try TLSServerContext.selfSigned()
                    case .files(let cert, let key):
                        tls = try TLSServerContext(
                            certificateChainFile: cert, privateKeyFile: key, clientCAFile: t.clientCA,
                            clientCertificate: clientMode(t.clientCertificate))
                    }
                } catch {
                    throw StartupError("\(error)")
                }
            }
            listeners.append(ListenerSettings(role: .public, address: address, tls: tls, position: listeners.count))
        }
        if let gatewayAdmin = config.gatewayAdmin {
            let address = try resolve(gatewayAdmin.address.host, gatewayAdmin.address.port, what: "gateway_admin")
            listeners.append(ListenerSettings(role: .gatewayAdmin, address: address, tls: nil, position: listeners.count))
        }
        if let admin = config.admin {
            let address = try resolve(admin.address.host, admin.address.port, what: "admin")
            listeners.append(ListenerSettings(role: .admin, address: address, tls: nil, position: listeners.count))
        }

        let url = config.upstream.url
        let upstreamAddress = try resolve(url.host, url.port, what: "upstream")
        var upstreamTLS: TLSClientContext? = nil
        if url.scheme == .https {
            do { upstreamTLS = try TLSClientContext(caFile: config.upstream.ca) } catch { throw StartupError("\(error)") }
        }
        let upstream = UpstreamSettings(
            address: upstreamAddress, serverName: url.host, tls: upstreamTLS,
            connectTimeout: config.upstream.connectTimeout.nanoseconds,
            maxIdleConnections: config.upstream.maxIdleConnections,
            idleTimeout: config.upstream.idleTimeout.nanoseconds,
            description: url.description)

        var gatewayAdminUpstream: UpstreamSettings? = nil
        if let adminURL = config.upstream.adminURL {
            let address = try resolve(adminURL.host, adminURL.port, what: "upstream.admin_url")
            var tls: TLSClientContext? = nil
            if adminURL.scheme == .https {
                do { tls = try TLSClientContext(caFile: config.upstream.ca) } catch { throw StartupError("\(error)") }
            }
            gatewayAdminUpstream = UpstreamSettings(
                address: address, serverName: adminURL.host, tls: tls,
                connectTimeout: config.upstream.connectTimeout.nanoseconds,
                maxIdleConnections: config.upstream.maxIdleConnections,
                idleTimeout: config.upstream.idleTimeout.nanoseconds, description: adminURL.description)
        }
        let limits = HTTPLimits(
            requestLineMax: config.limits.requestLine, headerBlockMax: config.limits.headerBlock,
            fieldCountMax: config.limits.headerFields)
        return RuntimeSettings(
            config: config, listeners: listeners, upstream: upstream, gatewayAdminUpstream: gatewayAdminUpstream,
            limits: limits,
            headerTimeout: config.limits.headerTimeout.nanoseconds,
            keepAliveTimeout: config.limits.keepaliveTimeout.nanoseconds,
            closeCode: config.enforcement.closeCode,
            closeGrace: config.enforcement.closeGrace.nanoseconds,
            shutdownGrace: config.enforcement.shutdownGrace.nanoseconds,
            tick: config.enforcement.tick.nanoseconds,
            testHooks: testHooks,
            auth: try AuthSettings.make(from: config))
    }

    private static func resolve(_ host: String, _ port: UInt16, what: String) throws(StartupError) -> SocketAddress {
        do { return try SocketAddress(host: host, port: port) } catch {
            throw StartupError("cannot resolve \(what) address \(host):\(port): \(error)")
        }
    }

    private static func clientMode(_ mode: TLSConfig.ClientCertificateMode) -> CurfewTLS.ClientCertificateMode {
        switch mode {
        case .off: .off
        case .optional: .optional
        case .required: .required
        }
    }
}

/// A failure to start (or to apply a reload): one line for stderr, exit code 1.
struct StartupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
