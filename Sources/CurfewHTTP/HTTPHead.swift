/// A parsed HTTP/1.x request or response head.
///
/// It keeps the head's bytes exactly as received (`rawBytes`, from the start line through the final CRLF) and
/// the ranges of each part, so the proxy can forward fields byte-for-byte and Strings are built only on demand.
public struct HTTPHead: Sendable, Equatable {
    /// Whether a head is a request or a response.
    public enum Kind: Sendable, Equatable {
        case request
        case response
    }

    /// Byte ranges of one field line within `rawBytes`: the name, and the value with surrounding OWS trimmed.
    struct FieldSpan: Sendable, Equatable {
        var name: Range<Int>
        var value: Range<Int>
    }

    public let kind: Kind
    /// The head exactly as received, start line through the final CRLF (leading empty lines not included).
    public let rawBytes: [UInt8]
    /// Request: method. Response: the "HTTP/1.x" version.
    let part1: Range<Int>
    /// Request: target. Response: the status digits.
    let part2: Range<Int>
    /// Request: the version. Response: the reason phrase (may be empty).
    let part3: Range<Int>
    let fieldSpans: [FieldSpan]
    /// The minor version of HTTP/1.x: 0 or 1.
    public let versionMinor: Int
    /// The response status code; 0 for a request.
    public let status: Int

    init(
        kind: Kind, rawBytes: [UInt8], part1: Range<Int>, part2: Range<Int>, part3: Range<Int>,
        fieldSpans: [FieldSpan], versionMinor: Int, status: Int
    ) {
        self.kind = kind
        self.rawBytes = rawBytes
        self.part1 = part1
        self.part2 = part2
        self.part3 = part3
        self.fieldSpans = fieldSpans
        self.versionMinor = versionMinor
        self.status = status
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: rawBytes[range], as: UTF8.self)
    }

    /// The request method ("GET"); empty for a response.
    public var method: String { kind == .request ? string(part1) : "" }
    /// The request target as sent ("/db/_changes?since=0"); empty for a response.
    public var target: String { kind == .request ? string(part2) : "" }
    /// The request target, split into path and query helpers.
    public var parsedTarget: HTTPTarget { HTTPTarget(target) }
    /// The response reason phrase; empty for a request.
    public var reason: String { kind == .response ? string(part3) : "" }
    /// The number of field lines.
    public var fieldCount: Int { fieldSpans.count }

    /// Whether the method is exactly `name`. Methods are case-sensitive (RFC 9110 §9.1): "get" is not "GET".
    public func methodIs(_ name: String) -> Bool {
        kind == .request && rawBytes[part1].elementsEqual(name.utf8)
    }
}

// MARK: - Fields

extension HTTPHead {
    /// The name of field `index` as received.
    public func fieldName(at index: Int) -> String { string(fieldSpans[index].name) }
    /// The value of field `index`, leading and trailing whitespace removed.
    public func fieldValue(at index: Int) -> String { string(fieldSpans[index].value) }

    /// All field lines as (name, value) Strings, in order.
    public var fields: [(name: String, value: String)] {
        fieldSpans.map { (string($0.name), string($0.value)) }
    }

    /// Indices of the fields called `name` (ASCII case-insensitive).
    func fieldIndices(named name: String) -> [Int] {
        rawBytes.withUnsafeBufferPointer { buf in
            fieldSpans.indices.filter { ASCII.equalsCaseInsensitive(buf, fieldSpans[$0].name, name) }
        }
    }

    /// Whether any field is called `name`.
    public func contains(_ name: String) -> Bool {
        rawBytes.withUnsafeBufferPointer { buf in
            fieldSpans.contains { ASCII.equalsCaseInsensitive(buf, $0.name, name) }
        }
    }

    /// The value of the first field called `name` (ASCII case-insensitive), or nil.
    public func value(of name: String) -> String? {
        let index: Int? = rawBytes.withUnsafeBufferPointer { buf in
            fieldSpans.firstIndex { ASCII.equalsCaseInsensitive(buf, $0.name, name) }
        }
        return index.map { string(fieldSpans[$0].value) }
    }

    /// The values of every field called `name`, in order.
    public func values(of name: String) -> [String] {
        fieldIndices(named: name).map { string(fieldSpans[$0].value) }
    }

    /// Whether the comma-separated token lists of the fields called `name` contain `token`, ASCII case-insensitive.
    /// `Connection: keep-alive, Upgrade` has the tokens "keep-alive" and "upgrade".
    public func hasToken(_ token: String, in name: String) -> Bool {
        var found = false
        forEachToken(in: name) { buf, range in
            if ASCII.equalsCaseInsensitive(buf, range, token) {
                found = true
                return false
            }
            return true
        }
        return found
    }

    /// Calls `body` with the range of each non-empty element of the comma lists in the fields called `name`.
    /// `body` returns false to stop.
    func forEachToken(in name: String, _ body: (UnsafeBufferPointer<UInt8>, Range<Int>) -> Bool) {
        rawBytes.withUnsafeBufferPointer { buf in
            for span in fieldSpans where ASCII.equalsCaseInsensitive(buf, span.name, name) {
                var start = span.value.lowerBound
                var i = start
                while i <= span.value.upperBound {
                    if i == span.value.upperBound || buf[i] == ASCII.comma {
                        let element = ASCII.trimmed(buf, start..<i)
                        if !element.isEmpty, !body(buf, element) { return }
                        start = i + 1
                    }
                    i += 1
                }
            }
        }
    }
}
