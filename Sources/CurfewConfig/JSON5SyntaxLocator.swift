/// Finds where the first JSON5 syntax error in a document is, and says what it is; and finds duplicate keys.
///
/// Foundation's `JSONDecoder` on Linux reports a syntax error as "The given data was not valid JSON." with no
/// position, and an operator needs the line. This scanner runs after the decoder has refused the text; it
/// walks the same grammar (JSON5 as Foundation accepts it: comments, trailing commas, identifier keys,
/// single-quoted strings, hex numbers, leading `+`/`.`) and stops at the first thing that cannot continue it.
///
/// The decoder also accepts an object with the same key twice and silently keeps the first, so an override
/// appended at the end of a file would be ignored without a word. After a successful decode the loader runs
/// this scanner once more, only to find such a duplicate; anything else it might object to then is ignored.
/// It builds no values either way: the decoder remains the only parser of the config.
struct JSON5SyntaxLocator {
    struct Finding: Equatable {
        /// 1-based, in lines and Unicode scalars.
        var line: Int
        var column: Int
        var message: String
    }

    private struct Failure: Error {
        var offset: Int
        var message: String
        var isDuplicateKey = false
    }

    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0
    /// Off while locating a syntax error, so that a duplicate key does not hide the real error after it.
    private var checksDuplicateKeys = false
    private static let maximumDepth = 512

    /// The first syntax error in `bytes`, or nil if the scanner finds none (the decoder may refuse things this
    /// scanner does not check, such as a number that does not fit).
    static func locate(in bytes: [UInt8]) -> Finding? {
        var scanner = JSON5SyntaxLocator(bytes: bytes)
        do {
            try scanner.document()
            return nil
        } catch {
            let (line, column) = position(of: error.offset, in: bytes)
            return Finding(line: line, column: column, message: error.message)
        }
    }

    /// The first key that appears twice in one object, in a document the decoder accepted; the message names
    /// the key path. Keys are compared as written (a key spelled once with an escape and once without is
    /// not caught).
    static func firstDuplicateKey(in bytes: [UInt8]) -> Finding? {
        var scanner = JSON5SyntaxLocator(bytes: bytes)
        scanner.checksDuplicateKeys = true
        do {
            try scanner.document()
            return nil
        } catch  where error.isDuplicateKey {
            let (line, column) = position(of: error.offset, in: bytes)
            return Finding(line: line, column: column, message: error.message)
        } catch {
            return nil  // the decoder accepted the text; the scanner is stricter here, not the config wrong
        }
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for b in bytes[0..<min(offset, bytes.count)] {
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {  // count scalars, not UTF-8 continuation bytes
                column += 1
            }
        }
        return (line, column)
    }

    // MARK: - Grammar

    private mutating func document() throws(Failure) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        try skipTrivia()
        guard i < bytes.count else { throw Failure(offset: i, message: "the file is empty; expected an object") }
        try value(path: "")
        try skipTrivia()
        if i < bytes.count {
            throw Failure(offset: i, message: "unexpected \(describe(at: i)) after the end of the top-level value")
        }
    }

    private mutating func value(path: String) throws(Failure) {
        guard i < bytes.count else { throw Failure(offset: i, message: "unexpected end of file; expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"): try container(close: UInt8(ascii: "}"), isObject: true, path: path)
        case UInt8(ascii: "["): try container(close: UInt8(ascii: "]"), isObject: false, path: path)
        case UInt8(ascii: "\""), UInt8(ascii: "'"): try string()
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
        default:
            let start = i
            let word = identifier()
            guard ["true", "false", "null", "Infinity", "NaN"].contains(word) else {
                throw Failure(
                    offset: start,
                    message: "expected a value, found \(describe(at: start))"
                        + (word.isEmpty ? "" : " (strings need quotes)"))
            }
        }
    }

    private mutating func container(close: UInt8, isObject: Bool, path: String) throws(Failure) {
        let open = i
        var keysSeen: [String: Int] = [:]  // key as written -> offset of its first occurrence
        var index = 0
        depth += 1
        if depth > Self.maximumDepth { throw Failure(offset: i, message: "nested too deeply") }
        i += 1
        var lastValueEnd: Int?
        while true {
            try skipTrivia()
            guard i < bytes.count else {
                let what = isObject ? "object" : "array"
                let (line, column) = Self.position(of: open, in: bytes)
                throw Failure(
                    offset: i, message: "unexpected end of file; the \(what) opened at \(line):\(column) is not closed")
            }
            if bytes[i] == close {
                i += 1
                depth -= 1
                return
            }
            if let end = lastValueEnd {
                // Report a missing comma where it belongs, after the previous value, not at the next line's key.
                guard bytes[i] == UInt8(ascii: ",") else {
                    throw Failure(offset: end, message: "missing \",\" after this value (found \(describe(at: i)))")
                }
                i += 1
                try skipTrivia()
                if i < bytes.count, bytes[i] == close { continue }  // trailing comma
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") {
                throw Failure(offset: i, message: "unexpected \",\"")
            }
            var memberPath = path + "[\(index)]"
            if isObject {
                let keyStart = i
                let name = try key()
                memberPath = path.isEmpty ? name : path + "." + name
                if checksDuplicateKeys, let first = keysSeen[name] {
                    let (line, _) = Self.position(of: first, in: bytes)
                    throw Failure(
                        offset: keyStart,
                        message: "duplicate key \(quoted(memberPath)) (also on line \(line); only one would be used)",
                        isDuplicateKey: true)
                }
                keysSeen[name] = keyStart
                try skipTrivia()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                    throw Failure(offset: i, message: "expected \":\" after the key, found \(describe(at: i))")
                }
                i += 1
                try skipTrivia()
            }
            try value(path: memberPath)
            lastValueEnd = i
            index += 1
        }
    }

    /// The key as written (without its quotes).
    private mutating func key() throws(Failure) -> String {
        guard i < bytes.count else { throw Failure(offset: i, message: "unexpected end of file; expected a key") }
        let start = i
        if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
            try string()
            return String(decoding: bytes[(start + 1)..<(i - 1)], as: UTF8.self)
        }
        let name = identifier()
        if name.isEmpty {
            throw Failure(offset: start, message: "expected a key, found \(describe(at: start))")
        }
        return name
    }

    /// Letters, digits, `_`, `$` and any non-ASCII byte (Foundation accepts Unicode identifier keys).
    private mutating func identifier() -> String {
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            let ok =
                (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") && i > start) || b == UInt8(ascii: "_")
                || b == UInt8(ascii: "$") || b >= 0x80
            guard ok else { break }
            i += 1
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private mutating func string() throws(Failure) {
        let start = i
        let quote = bytes[i]
        i += 1
        while i < bytes.count {
            let b = bytes[i]
            if b == quote {
                i += 1
                return
            }
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                switch bytes[i] {
                case UInt8(ascii: "u"):
                    try hexDigits(count: 4, after: i + 1, escapeAt: i - 1)
                    i += 5
                case UInt8(ascii: "x"):
                    try hexDigits(count: 2, after: i + 1, escapeAt: i - 1)
                    i += 3
                case UInt8(ascii: "\r"):
                    i += 1
                    if i < bytes.count, bytes[i] == UInt8(ascii: "\n") { i += 1 }
                default:
                    i += 1
                }
                continue
            }
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                throw Failure(offset: i, message: "newline inside a string (a string must end on the line it starts)")
            }
            if b < 0x20 {
                throw Failure(offset: i, message: "control character inside a string; escape it")
            }
            i += 1
        }
        throw Failure(offset: start, message: "unterminated string")
    }

    private func hexDigits(count: Int, after start: Int, escapeAt: Int) throws(Failure) {
        guard start + count <= bytes.count, bytes[start..<start + count].allSatisfy(isHexDigit) else {
            throw Failure(offset: escapeAt, message: "bad escape sequence in a string")
        }
    }

    private mutating func number() throws(Failure) {
        let start = i
        if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        let word = identifier()  // Infinity, NaN
        if !word.isEmpty {
            guard word == "Infinity" || word == "NaN" else {
                throw Failure(offset: start, message: "malformed number")
            }
            return
        }
        if bytes[i...].starts(with: [UInt8(ascii: "0"), UInt8(ascii: "x")])
            || bytes[i...].starts(with: [UInt8(ascii: "0"), UInt8(ascii: "X")])
        {
            i += 2
            let digits = i
            while i < bytes.count, isHexDigit(bytes[i]) { i += 1 }
            if i == digits { throw Failure(offset: start, message: "malformed hexadecimal number") }
        } else {
            let integerStart = i
            let integerDigits = digits()
            if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") {
                throw Failure(offset: start, message: "numbers cannot have leading zeros")
            }
            var fractionDigits = 0
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                fractionDigits = digits()
            }
            if integerDigits == 0 && fractionDigits == 0 { throw Failure(offset: start, message: "malformed number") }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                if digits() == 0 { throw Failure(offset: start, message: "malformed number") }
            }
        }
        if i < bytes.count, !isDelimiter(bytes[i]) {
            throw Failure(offset: start, message: "malformed number (strings need quotes)")
        }
    }

    private mutating func digits() -> Int {
        let start = i
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
        return i - start
    }

    private func isDelimiter(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || b == UInt8(ascii: "/")
            || isWhitespace(b)
    }

    private func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C
    }

    private mutating func skipTrivia() throws(Failure) {
        while i < bytes.count {
            if isWhitespace(bytes[i]) {
                i += 1
            } else if bytes[i] == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") {
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
            } else if bytes[i] == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") {
                let start = i
                i += 2
                while i + 1 < bytes.count, !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) {
                    i += 1
                }
                guard i + 1 < bytes.count else { throw Failure(offset: start, message: "unterminated /* comment") }
                i += 2
            } else {
                return
            }
        }
    }

    /// The token at `offset`, quoted, for messages.
    private func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the file" }
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }  // whole UTF-8 scalar
        return quoted(String(decoding: bytes[offset..<end], as: UTF8.self))
    }
}
