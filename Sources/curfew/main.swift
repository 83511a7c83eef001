import CurfewProxy

#if canImport(Glibc)
import Glibc
#endif

// Thin on purpose: everything testable lives in the libraries.
exit(CurfewCommand.main(CommandLine.arguments))
