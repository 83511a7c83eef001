import CurfewConfig
import CurfewLog
import CurfewNet
import CurfewPolicy

#if canImport(Glibc)
import Glibc
#endif

/// Starts the workers, then turns the calling thread into the signal thread: SIGHUP reloads, SIGTERM/SIGINT
/// shut down. Returns the process exit code.
public enum Server {
    /// - Parameters:
    ///   - load: reads the configuration; called at start and again on every SIGHUP.
    ///   - onListening: called once every listener is bound, with (role, address) pairs (the demo prints them).
    public static func run(
        load: () throws(ConfigError) -> LoadedConfig,
        onListening: ([(role: String, address: String)]) -> Void = { _ in }
    ) -> Int32 {
        ControlSignals.ignoreSIGPIPE()
        // Blocked before any thread starts, so every worker inherits the mask and only sigwait sees them.
        ControlSignals.blockInThisThread()

        let loaded: LoadedConfig
        do { loaded = try load() } catch {
            printError("\(error)")
            return 2
        }
        let config = loaded.config
        let logger = Logger(level: logLevel(config), format: logFormat(config))
        for warning in loaded.warnings { logger.warning("config_warning", ["warning": .string(warning)]) }

        let testHooks = getenv("CURFEW_TEST_HOOKS").map { String(cString: $0) == "1" } ?? false
        if testHooks { logger.warning("test_hooks_enabled", [:]) }
        let settings: RuntimeSettings
        do { settings = try RuntimeSettings.make(from: config, testHooks: testHooks) } catch {
            printError(error.description)
            return 1
        }

        let workerCount = max(1, config.workers)
        var perWorker: [[(Int32, ListenerSettings)]] = Array(repeating: [], count: workerCount)
        var announced: [(role: String, address: String, tls: Bool)] = []
        for listener in settings.listeners {
            // curfew's own admin API runs on worker 0 only; the proxy listeners on every worker.
            let count = listener.role == .admin ? 1 : workerCount
            var address = listener.address
            for w in 0..<count {
                do {
                    let fd = try Socket.listen(on: address, reusePort: true)
                    if w == 0 { address = try Socket.localAddress(fd) }  // port 0: the others join the real port
                    perWorker[w].append(
                        (fd, ListenerSettings(role: listener.role, address: address, tls: listener.tls, position: listener.position)))
                } catch {
                    printError("cannot listen on \(listener.address): \(String(cString: strerror(error.errno)))")
                    return 1
                }
            }
            announced.append((listener.role.rawValue, address.description, listener.tls != nil))
        }

        let shared = SharedState(
            logger: logger, store: InMemoryEnforcementStore(), sessionTableSize: config.credentials.session.tableSize)
        var mailboxes: [Mailbox<Worker>] = []
        for _ in 0..<workerCount {
            do { mailboxes.append(try Mailbox<Worker>()) } catch {
                printError(error.description)
                return 1
            }
        }
        shared.setMailboxes(mailboxes)
        var threads: [OSThread] = []
        for w in 0..<workerCount {
            threads.append(startWorker(index: w, mailbox: mailboxes[w], shared: shared, settings: settings,
                                       listeners: perWorker[w]))
        }
        for (role, address, tls) in announced {
            logger.info("listening", ["listener": .string(role), "address": .string(address), "tls": .bool(tls)])
        }
        logger.info("started", ["workers": .integer(workerCount), "upstream": .string(settings.upstream.description),
                                "version": .string(Version.string)])
        onListening(announced.map { ($0.role, $0.address) })

        var current = settings
        while true {
            let signal = ControlSignals.wait()
            if signal == SIGHUP {
                current = reload(load: load, current: current, logger: logger, mailboxes: mailboxes)
                continue
            }
            if signal == SIGTERM || signal == SIGINT {
                logger.info("shutdown", ["phase": "begin", "signal": .string(signal == SIGTERM ? "SIGTERM" : "SIGINT"),
                                         "grace_ms": .integer(current.shutdownGrace / 1_000_000)])
                let grace = current.shutdownGrace
                for mailbox in mailboxes { mailbox.post { $0.beginShutdown(grace: grace) } }
                for thread in threads { thread.join() }
                logger.info("shutdown", ["phase": "done"])
                return 0
            }
        }
    }

    private static func startWorker(
        index: Int, mailbox: Mailbox<Worker>, shared: SharedState, settings: RuntimeSettings,
        listeners: [(Int32, ListenerSettings)]
    ) -> OSThread {
        let fds = SendableListeners(listeners)
        return OSThread.spawn {
            do {
                let worker = try Worker(index: index, mailbox: mailbox, shared: shared, settings: settings,
                                        listenerFDs: fds.value)
                worker.run()
            } catch {
                shared.logger.error("worker_failed", ["worker": .integer(index), "error": .string("\(error)")])
                exit(1)
            }
        }
    }

    /// SIGHUP: a new configuration and new certificates for new connections; live connections keep running.
    /// A broken configuration is logged and the old one kept.
    private static func reload(
        load: () throws(ConfigError) -> LoadedConfig, current: RuntimeSettings, logger: Logger,
        mailboxes: [Mailbox<Worker>]
    ) -> RuntimeSettings {
        let next: RuntimeSettings
        do {
            let loaded = try load()
            next = try RuntimeSettings.make(from: loaded.config, testHooks: current.testHooks)
            for warning in loaded.warnings { logger.warning("config_warning", ["warning": .string(warning)]) }
        } catch {
            logger.error("reload", ["ok": false, "error": .string("\(error)")])
            return current
        }
        let oldAddresses = current.listeners.map { "\($0.role.rawValue) \($0.address)" }
        let newAddresses = next.listeners.map { "\($0.role.rawValue) \($0.address)" }
        if oldAddresses != newAddresses {
            // Re-binding listeners under live traffic is not done on reload; say so rather than half-apply.
            logger.warning("reload_listeners_unchanged", ["reason": "listener addresses change only on restart"])
        }
        logger.configure(level: logLevel(next.config), format: logFormat(next.config))
        for mailbox in mailboxes { mailbox.post { $0.apply(next) } }
        logger.info("reload", ["ok": true, "error": .null])
        return next
    }

    private static func logLevel(_ config: ProxyConfig) -> LogLevel {
        LogLevel(name: config.log.level.rawValue) ?? .info
    }

    private static func logFormat(_ config: ProxyConfig) -> LogFormat {
        LogFormat(rawValue: config.log.format.rawValue) ?? .json
    }

    static func printError(_ message: String) {
        let line = Array("curfew: \(message)\n".utf8)
        line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}

/// Listener fds and settings handed to a new worker thread.
private struct SendableListeners: @unchecked Sendable {
    // SAFETY: plain fds and immutable settings, handed over once before the thread starts.
    let value: [(Int32, ListenerSettings)]
    init(_ value: [(Int32, ListenerSettings)]) { self.value = value }
}

public enum Version {
    public static let string = "0.1.0"
}
