import CurfewConfig

#if canImport(Glibc)
import Glibc
#endif

/// The command line: `curfew [run] --config FILE`, `check`, `demo`, `version`, `--help`.
/// Exit codes: 0 ok, 1 runtime error, 2 configuration or usage error.
public enum CurfewCommand {
    static let usage = """
        usage: curfew [run] --config FILE    run the proxy (SIGHUP reloads, SIGTERM stops)
               curfew check --config FILE    validate FILE: prints "config ok" (exit 0) or the error (exit 2)
               curfew demo [--port N] [--token-lifetime S] [--no-client]
                                             a self-contained demo: a built-in Sync Gateway stand-in behind
                                             curfew on https://127.0.0.1:N (default 4984, 0: any), self-signed,
                                             and a built-in client whose S-second tokens (default 10) lapse and
                                             are cut; --no-client leaves it out
               curfew version                print the version
               curfew --help                 this text
        """

    public static func main(_ arguments: [String]) -> Int32 {
        var args = Array(arguments.dropFirst())
        var command = "run"
        if let first = args.first, !first.hasPrefix("-") {
            command = first
            args.removeFirst()
        }
        if args.contains("--help") || args.contains("-h") || command == "help" {
            print(usage)
            return 0
        }
        switch command {
        case "version", "--version":
            print("curfew \(Version.string)")
            return 0
        case "run":
            guard let path = option("--config", in: args) else { return usageError("run needs --config FILE") }
            return Server.run(load: { () throws(ConfigError) in try ConfigLoader.load(path: path) })
        case "check":
            guard let path = option("--config", in: args) else { return usageError("check needs --config FILE") }
            do {
                let loaded = try ConfigLoader.load(path: path)
                for warning in loaded.warnings { print("warning: \(warning)") }
                print("config ok")
                return 0
            } catch {
                Server.printError("\(error)")
                return 2
            }
        case "demo":
            var options = Demo.Options()
            if let text = option("--port", in: args) {
                guard let port = UInt16(text) else { return usageError("--port takes a port number, got \"\(text)\"") }
                options.port = port
            }
            if let text = option("--token-lifetime", in: args) {
                guard let seconds = Int64(text), (1...86400).contains(seconds) else {
                    return usageError("--token-lifetime takes whole seconds from 1 to 86400, got \"\(text)\"")
                }
                options.tokenLifetime = seconds
            }
            options.client = !args.contains("--no-client")
            return Demo.run(options)
        default:
            return usageError("unknown command \"\(command)\"")
        }
    }

    private static func option(_ name: String, in args: [String]) -> String? {
        if let i = args.firstIndex(of: name), i + 1 < args.count { return args[i + 1] }
        if let joined = args.first(where: { $0.hasPrefix(name + "=") }) { return String(joined.dropFirst(name.count + 1)) }
        return nil
    }

    private static func usageError(_ message: String) -> Int32 {
        Server.printError("\(message)\n\(usage)")
        return 2
    }
}
