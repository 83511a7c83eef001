// The only I/O in this module: reading the config file and, for the runtime, secret files; plus the working
// directory and core count. Glibc (not Foundation) so that a failure reports strerror, as operators expect.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads a whole regular file, at most `limit` bytes; the error is `strerror(errno)` or a short reason.
func readWholeFile(_ path: String, limit: Int) -> Result<[UInt8], FileReadError> {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { return .failure(FileReadError(errno)) }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) != 0 { return .failure(FileReadError(errno)) }
    if (info.st_mode & S_IFMT) == S_IFDIR { return .failure(FileReadError(EISDIR)) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16_384)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return .failure(FileReadError(errno))
        }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
        if bytes.count > limit { return .failure(FileReadError(reason: "larger than \(limit) bytes")) }
    }
    return .success(bytes)
}

struct FileReadError: Error {
    let reason: String

    init(_ code: Int32) { reason = String(cString: strerror(code)) }
    init(reason: String) { self.reason = reason }
}

/// The process's working directory, for making a relative config path absolute.
func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return "/" }
    return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Online cores, clamped to the range `workers` accepts.
func onlineProcessorCount() -> Int {
    min(max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1), 256)
}

/// `path` made absolute against `directory` (itself absolute); `.` and empty components are dropped. `..` is
/// kept: resolving it lexically would be wrong across symlinks.
func resolvePath(_ path: String, against directory: String) -> String {
    let joined = path.hasPrefix("/") ? path : directory + "/" + path
    let parts = joined.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
    return "/" + parts.joined(separator: "/")
}

/// The absolute folder holding `file` (absolute or relative to the working directory).
func directory(of file: String) -> String {
    let absolute = resolvePath(file, against: file.hasPrefix("/") ? "/" : currentDirectory())
    guard let slash = absolute.lastIndex(of: "/"), slash != absolute.startIndex else { return "/" }
    return String(absolute[..<slash])
}
