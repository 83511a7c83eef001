/// What one call to `HTTPHeadParser.parse` produced.
public enum HTTPHeadParseResult: Sendable, Equatable {
    /// Every byte was consumed (and the parts of the head among them retained); feed more.
    case needMore
    /// The head is complete. `consumed` bytes of this call belonged to it; the rest is body or the next message.
    case head(HTTPHead, consumed: Int)
    /// The head is refused. The parser stays failed until `reset()`.
    case failure(HTTPParseError)
}
