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
               curfew demo [--port N]        a self-contained demo: a built-in Sync Gateway stand-in behind
                                             curfew on https://127.0.0.1:N (default 4984), self-signed
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
            let port = option("--port", in: args).flatMap { UInt16($0) } ?? 4984
            return Demo.run(port: port)
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
