/// Request paths made safe to log. SG's admin API puts session ids in paths (`/{db}/_session/{id}`,
/// `/{db}/_user/{name}/_session/{id}`), and a session id is a bearer credential: whoever reads the log line could
/// replay it as a cookie. The segment after a `_session` segment is replaced by a caller-made fingerprint, so a
/// log line can still be matched to a session without revealing it.
public enum SGLogPath {
    /// `path` with every segment that follows a `_session` segment replaced by `fingerprint(decoded segment)`;
    /// the query string and everything else stay as they are. Paths without `_session/` are returned unchanged
    /// (the common case, checked first without splitting). An undecodable id segment is replaced by `-`.
    public static func redacted(_ path: String, fingerprint: (String) -> String) -> String {
        guard path.utf8.count > 9, containsSessionSegment(path) else { return path }
        let queryStart = path.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? path.endIndex
        let pathPart = path[path.startIndex..<queryStart]
        var segments = pathPart.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var i = 1
        while i < segments.count {
            if segments[i - 1] == "_session", !segments[i].isEmpty {
                let decoded = Array(segments[i].utf8).withUnsafeBufferPointer { SGPath.percentDecoded($0[...]) }
                segments[i] = decoded.map(fingerprint) ?? "-"
            }
            i += 1
        }
        return segments.joined(separator: "/") + path[queryStart...]
    }

    private static func containsSessionSegment(_ path: String) -> Bool {
        path.utf8.split(separator: UInt8(ascii: "/")).contains { $0.elementsEqual("_session".utf8) }
    }
}
