// curfew-bench: the benchmark's load client and fast fake Sync Gateway (Benchmarks/run, docs/performance.md).
// One thread, one epoll loop, one core: it must cost far less than the proxy it measures.
#if canImport(Glibc)
import Glibc
#endif

exit(Command.main(Array(CommandLine.arguments.dropFirst())))
