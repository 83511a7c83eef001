/// The strict JSON check of `JSONValue` (RFC 8259 syntax, no duplicate member names), for callers outside this
/// module that decode with Foundation: `JSONDecoder` silently keeps one of two equal keys, so a body such as
/// `{"user":"a","user":"b"}` would mean one thing to curfew and another to whoever wrote it.
public enum StrictJSON {
    /// True when `bytes` is one JSON text without a duplicate member name at any depth (nesting at most 32).
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        JSONValue.parse(bytes) != nil
    }
}
