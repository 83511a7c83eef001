#if canImport(Glibc)
import Glibc
#endif

/// stdout carries exactly one JSON line per run (the run script parses the last line); everything else goes to
/// stderr. Both are written with write(2), unbuffered, so `idle`'s line is out before it starts holding.
enum Console {
    static func result(_ json: JSONLine) { writeAll(1, json.rendered + "\n") }

    /// One diagnostic line on stderr, prefixed with the tool's name.
    static func note(_ message: String) { writeAll(2, "curfew-bench: " + message + "\n") }

    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        bytes.withUnsafeMutableBytes { buf in
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return
                }
                offset += n
            }
        }
    }
}
