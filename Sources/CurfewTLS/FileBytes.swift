internal import Glibc

/// Reads small configuration files (PEM, JWKS) whole, so that "cannot read" can be reported with the file name and
/// the system's reason before OpenSSL ever sees the bytes.
enum FileBytes {
    /// Certificate bundles and key sets are kilobytes; a cap stops a mistyped path (say, a disk image) eating memory.
    static let maximumSize = 4 << 20

    /// The file's bytes, or a one-line reason ("No such file or directory", "file is larger than 4 MiB").
    static func read(_ path: String) -> Result<[UInt8], FileReadFailure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(FileReadFailure(errno: errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FileReadFailure(errno: errno))
            }
            if n == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > maximumSize { return .failure(FileReadFailure(reason: "file is larger than 4 MiB")) }
        }
    }
}

struct FileReadFailure: Error {
    let reason: String

    init(reason: String) { self.reason = reason }
    init(errno code: Int32) { self.reason = String(cString: strerror(code)) }
}
