// swift-tools-version:6.0
// The dependency direction is the architecture (docs/architecture.md):
//   leaves (no I/O, no C):  CurfewHTTP  CurfewTimer  CurfewLog  CurfewConfig  CurfewPolicy
//   C fences:               CurfewNet (epoll, sockets)   CurfewTLS (OpenSSL)
//   runtime:                CurfewProxy  ->  executable `curfew`
// The parsers, the timer wheel and the enforcement policy cannot import the event loop or OpenSSL:
// the compiler holds that, because their targets do not depend on those modules.
import PackageDescription

let package = Package(
    name: "curfew",
    products: [
        .executable(name: "curfew", targets: ["curfew"])
    ],
    targets: [
        // C libraries from Debian, seen through pkg-config. Nothing but a module map and one header each.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        // Tiny C targets, only for what Swift cannot call: Linux headers Glibc lacks, _GNU_SOURCE calls, OpenSSL macros.
        .target(name: "CCurfewLinux"),
        .target(name: "CCurfewSSL", dependencies: ["COpenSSL"]),

        // Sans-I/O leaves.
        .target(name: "CurfewHTTP"),
        .target(name: "CurfewTimer"),
        .target(name: "CurfewLog"),
        .target(name: "CurfewConfig"),
        .target(name: "CurfewPolicy"),

        // C fences: the only Swift modules that import C.
        .target(name: "CurfewNet", dependencies: ["CCurfewLinux"]),
        .target(name: "CurfewTLS", dependencies: ["COpenSSL", "CCurfewSSL", "CurfewPolicy"]),

        // The runtime: event-loop workers, the proxy, enforcement, the admin API, the demo gateway.
        .target(
            name: "CurfewProxy",
            dependencies: [
                "CurfewHTTP", "CurfewTimer", "CurfewLog", "CurfewConfig", "CurfewPolicy", "CurfewNet", "CurfewTLS",
                "CNGHTTP2",
            ]
        ),
        .executableTarget(name: "curfew", dependencies: ["CurfewProxy", "CurfewConfig", "CurfewLog"]),

        // The benchmark (Benchmarks/, docs/performance.md). Not part of curfew; built with it so that `Benchmarks/run`
        // and its smoke test need nothing else. `curfew-bench` is the load client and the fast fake gateway (sockets,
        // TLS); `curfew-engine-bench` drives the timer wheel and the enforcement state machine in-process (no sockets).
        .executableTarget(
            name: "curfew-bench",
            dependencies: ["CurfewNet", "CurfewTLS", "CurfewHTTP", "CurfewLog", "CCurfewLinux"],
            path: "Benchmarks/Sources/curfew-bench"
        ),
        .executableTarget(
            name: "curfew-engine-bench",
            dependencies: ["CurfewTimer", "CurfewPolicy", "CurfewNet"],
            path: "Benchmarks/Sources/curfew-engine-bench"
        ),

        .testTarget(name: "CurfewHTTPTests", dependencies: ["CurfewHTTP"]),
        .testTarget(name: "CurfewTimerTests", dependencies: ["CurfewTimer"]),
        .testTarget(name: "CurfewConfigTests", dependencies: ["CurfewConfig"]),
        .testTarget(name: "CurfewLogTests", dependencies: ["CurfewLog"]),
        .testTarget(name: "CurfewPolicyTests", dependencies: ["CurfewPolicy"]),
        .testTarget(name: "CurfewProxyTests", dependencies: ["CurfewProxy"]),
        .testTarget(name: "CurfewTLSTests", dependencies: ["CurfewTLS", "CurfewPolicy"], exclude: ["Fixtures"]),
    ]
)
