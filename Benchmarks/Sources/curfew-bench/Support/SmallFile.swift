#if canImport(Glibc)
import Glibc
#endif

struct FileProblem: Error {
    let text: String
}

/// Reads a small file (a secret, a token) whole.
enum SmallFile {
    static let maximumSize = 1 << 20

    static func read(_ path: String) -> Result<[UInt8], FileProblem> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(FileProblem(text: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FileProblem(text: String(cString: strerror(errno))))
            }
            if n == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > maximumSize { return .failure(FileProblem(text: "larger than 1 MiB")) }
        }
    }
}
