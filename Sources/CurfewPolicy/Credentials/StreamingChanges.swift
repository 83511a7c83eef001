/// Whether a request is a streaming `_changes` feed: it holds a connection open like a websocket replication, so it
/// gets a connection deadline and the anonymous policy.
///
/// - Parameters:
///   - path: the request path without the query, e.g. `/db/_changes` or `/db.scope.collection/_changes`.
///   - feed: the value of the `feed` query parameter, if any.
/// - Note: a `POST /{db}/_changes` may name its feed in the JSON body instead; the caller must look there too.
public func isStreamingChangesRequest(path: String, feed: String?) -> Bool {
    guard let feed, ["continuous", "longpoll", "eventsource", "websocket"].contains(feed) else { return false }
    let segments = Array(path.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    // "/db/_changes" splits into ["", "db", "_changes"].
    guard segments.count == 3, segments[0].isEmpty, segments[2].elementsEqual("_changes".utf8) else { return false }
    // A keyspace is `db`, `db.collection` (default scope) or `db.scope.collection`. Erring wide is safe here: a
    // request wrongly taken for a feed only gets a deadline it did not need.
    let parts = segments[1].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    guard (1...3).contains(parts.count) else { return false }
    return parts.allSatisfy { !$0.isEmpty }
}
