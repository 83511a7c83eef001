import CurfewHTTP
import Testing

/// Feeds the same input in many chunkings — whole, byte by byte, and split in two at every index — and checks that
/// each gives the result of the whole feed (swift-nio's ByteToMessageDecoderVerifier idea). A state machine that
/// forgets something at a buffer edge shows up here.
///
/// `run` gets the chunks of one chunking and must start from fresh state. Inputs longer than `fullSplitLimit` are
/// split only near both ends and at a stride, and fed byte by byte only up to `byteByByteLimit`, to keep the
/// test quick.
@discardableResult
func dripFeed<R: Equatable>(
    _ input: [UInt8], fullSplitLimit: Int = 4096, byteByByteLimit: Int = 1 << 17,
    sourceLocation: SourceLocation = #_sourceLocation, _ run: ([[UInt8]]) -> R
) -> R {
    let expected = run([input])
    if input.count <= byteByByteLimit {
        let bytewise = run(input.map { [$0] })
        #expect(bytewise == expected, "byte-by-byte feed differs", sourceLocation: sourceLocation)
    }
    var splits: [Int]
    if input.count <= fullSplitLimit {
        splits = Array(0...input.count)
    } else {
        splits = Array(0..<64) + Array((input.count - 64)...input.count)
        splits += Array(stride(from: 64, to: input.count - 64, by: max(1, input.count / 64)))
    }
    for split in splits {
        let result = run([Array(input[..<split]), Array(input[split...])])
        #expect(result == expected, "split at \(split) differs", sourceLocation: sourceLocation)
        if result != expected { break }
    }
    return expected
}

extension Array where Element == UInt8 {
    init(_ s: String) { self = Array(s.utf8) }
}

/// Runs a head parser over chunks, totalling `consumed` across them.
enum HeadFeed: Equatable {
    case needMore
    case head(HTTPHeadSnapshot, consumed: Int)
    case failure(status: Int, reason: String)
}

/// The observable parts of a head, for comparing across chunkings.
struct HTTPHeadSnapshot: Equatable {
    var raw: [UInt8]
    var method: String
    var target: String
    var versionMinor: Int
    var status: Int
    var reason: String
    var fields: [String]
}

func snapshot(_ h: HTTPHead) -> HTTPHeadSnapshot {
    HTTPHeadSnapshot(
        raw: h.rawBytes, method: h.method, target: h.target, versionMinor: h.versionMinor, status: h.status,
        reason: h.reason, fields: h.fields.map { "\($0.name)=\($0.value)" })
}

func feedHead(_ chunks: [[UInt8]], kind: HTTPHead.Kind = .request, limits: HTTPLimits = HTTPLimits()) -> HeadFeed {
    var parser = HTTPHeadParser(kind: kind, limits: limits)
    var before = 0
    for chunk in chunks {
        let result = chunk.withUnsafeBytes { parser.parse($0) }
        switch result {
        case .needMore: before += chunk.count
        case .head(let h, let consumed): return .head(snapshot(h), consumed: before + consumed)
        case .failure(let e): return .failure(status: e.status, reason: e.reason)
        }
    }
    return .needMore
}

/// Parses a complete head in one go, or fails the test.
func parseHead(_ text: String, kind: HTTPHead.Kind = .request, sourceLocation: SourceLocation = #_sourceLocation)
    throws -> HTTPHead
{
    var parser = HTTPHeadParser(kind: kind)
    let bytes = [UInt8](text)
    let result = bytes.withUnsafeBytes { parser.parse($0) }
    guard case .head(let head, _) = result else {
        Issue.record("expected a head, got \(result)", sourceLocation: sourceLocation)
        throw ParseFailed()
    }
    return head
}

struct ParseFailed: Error {}
