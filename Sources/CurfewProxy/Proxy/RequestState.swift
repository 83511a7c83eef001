import CurfewHTTP

/// The request being proxied on a client connection.
struct RequestState {
    let method: String
    /// Path without the query string (logs never carry query strings: they may hold secrets).
    let path: String
    let isUpgrade: Bool
    var body: BodyTracker?
    var bodyComplete: Bool
    /// `Connection: close`, HTTP/1.0, shutdown, or an error: close after this response.
    var closeAfter: Bool
    let startedAt: Int64
    /// The upstream head, kept until SG's first response byte when the request has no body and went to a
    /// reused keep-alive connection: if SG closed that idle connection just as we reused it, the request is
    /// sent again on a fresh one instead of failing with 502.
    var replayableHead: [UInt8]?
}
