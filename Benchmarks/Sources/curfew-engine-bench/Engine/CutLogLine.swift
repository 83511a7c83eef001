#if canImport(Glibc)
import Glibc
#endif

/// Formats the runtime's `cut` log line (same fields, same JSON shape as `Logger.log` + `logCut`) into one reusable,
/// fixed-size byte buffer, and writes it nowhere.
///
/// Cheaper than the real path, on purpose and said here: `Logger` builds a fresh `[UInt8]` per line byte by byte
/// (`JSONText.appendString`), two RFC 3339 `String`s (each through small temporary arrays), `String(i)` per integer,
/// boxes every field in a `LogValue`, takes two locks and calls write(2). Here bytes go straight into the buffer and
/// unescaped strings are copied whole; only `gmtime_r` (twice per line) is shared with the runtime.
/// A first version that appended byte by byte to a `[UInt8]`, as `JSONText` does, cost ~0.8 µs per line on the
/// benchmark machine, about half of all per-cut work; this one is several times cheaper.
struct CutLogLine: ~Copyable {
    /// A cut line is ~340 bytes; fields longer than the buffer allows are cut short and counted.
    static let capacity = 1024

    private let buffer: UnsafeMutableRawBufferPointer
    private var length = 0
    /// Total bytes formatted, reported so that the formatting cannot be optimised away and can be sanity-checked.
    private(set) var totalBytes = 0
    /// Lines that did not fit the buffer (a failed check: the line would have been cut short).
    private(set) var truncatedLines = 0
    private var truncated = false

    init() { buffer = .allocate(byteCount: Self.capacity, alignment: 16) }

    deinit { buffer.deallocate() }

    /// The last line formatted.
    var lastLine: String { String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<length]), as: UTF8.self) }

    struct Fields {
        var nowMilliseconds: Int64
        var connection: UInt64
        var user: String?
        var credentialKind: String
        var credentialID: String?
        var reason: String
        var deadlineMilliseconds: Int64
        var latenessMilliseconds: Int64
        var how: String
        var bytesUp: Int
        var bytesDown: Int
        var ageSeconds: Int64
        var remote: String
        var path: String
    }

    mutating func format(_ f: Fields) {
        length = 0
        truncated = false
        raw(#"{"ts":""#)
        timestamp(f.nowMilliseconds)
        raw(#"","level":"info","event":"cut","conn":"#)
        integer(Int64(truncatingIfNeeded: f.connection))
        raw(#","user":"#)
        optionalString(f.user)
        raw(#","credential":"#)
        string(f.credentialKind)
        raw(#","credential_id":"#)
        optionalString(f.credentialID)
        raw(#","reason":"#)
        string(f.reason)
        raw(#","deadline":""#)
        timestamp(f.deadlineMilliseconds)
        raw(#"","lateness_ms":"#)
        integer(f.latenessMilliseconds)
        raw(#","how":"#)
        string(f.how)
        raw(#","bytes_up":"#)
        integer(Int64(f.bytesUp))
        raw(#","bytes_down":"#)
        integer(Int64(f.bytesDown))
        raw(#","age_s":"#)
        integer(f.ageSeconds)
        raw(#","remote":"#)
        string(f.remote)
        raw(#","path":"#)
        string(f.path)
        raw("}\n")
        totalBytes += length
        if truncated { truncatedLines += 1 }
    }

    // MARK: pieces

    private mutating func byte(_ b: UInt8) {
        guard length < Self.capacity else { return truncated = true }
        buffer[length] = b
        length += 1
    }

    private mutating func bytes(_ source: UnsafeRawBufferPointer) {
        guard source.count <= Self.capacity - length else { return truncated = true }
        guard let base = source.baseAddress, source.count > 0 else { return }
        (buffer.baseAddress! + length).copyMemory(from: base, byteCount: source.count)
        length += source.count
    }

    private mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes(UnsafeRawBufferPointer($0)) }
    }

    private mutating func optionalString(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    /// A JSON string: copied whole when nothing needs escaping (the usual case), else byte by byte with quotes,
    /// backslashes and control bytes escaped. Other bytes, UTF-8 included, pass through.
    ///
    /// Read in place (`utf8.withContiguousStorageIfAvailable`, as `JSONText` reads `s.utf8`): copying the string into
    /// a `var` for `withUTF8` cost a retain and a release per field that the runtime does not pay.
    private mutating func string(_ s: String) {
        byte(UInt8(ascii: "\""))
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { utf8 in
            if !utf8.contains(where: Self.needsEscape) { return bytes(UnsafeRawBufferPointer(utf8)) }
            escaped(utf8)
        }
        if done == nil { escaped(s.utf8) }
        byte(UInt8(ascii: "\""))
    }

    private mutating func escaped(_ utf8: some Sequence<UInt8>) {
        for b in utf8 {
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                byte(UInt8(ascii: "\\"))
                byte(b)
            } else if b < 0x20 || b == 0x7F {
                raw(#"\u00"#)
                byte(Self.hexDigit(b >> 4))
                byte(Self.hexDigit(b & 0xF))
            } else {
                byte(b)
            }
        }
    }

    private static func needsEscape(_ b: UInt8) -> Bool {
        b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == 0x7F
    }

    private mutating func integer(_ value: Int64) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            byte(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        }
    }

    /// `2026-12-03T20:15:04.123Z`, as `RFC3339.format(milliseconds:)` prints it (gmtime_r for the calendar).
    private mutating func timestamp(_ milliseconds: Int64) {
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let ms = Int(milliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        padded(Int(parts.tm_year) + 1900, 4); byte(UInt8(ascii: "-"))
        padded(Int(parts.tm_mon) + 1, 2); byte(UInt8(ascii: "-"))
        padded(Int(parts.tm_mday), 2); byte(UInt8(ascii: "T"))
        padded(Int(parts.tm_hour), 2); byte(UInt8(ascii: ":"))
        padded(Int(parts.tm_min), 2); byte(UInt8(ascii: ":"))
        padded(Int(parts.tm_sec), 2); byte(UInt8(ascii: "."))
        padded(ms, 3); byte(UInt8(ascii: "Z"))
    }

    /// `value` in exactly `width` digits (leading zeros; higher digits dropped).
    private mutating func padded(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            byte(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
            divisor /= 10
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
