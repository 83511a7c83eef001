#if canImport(Glibc)
import Glibc
#endif

/// One line on stderr, unbuffered, so it is never lost behind an `exit`.
enum StandardError {
    static func line(_ text: String) {
        var line = "curfew-engine-bench: \(text)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
