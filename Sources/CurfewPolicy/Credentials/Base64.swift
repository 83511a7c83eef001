/// A strict base64 decoder (RFC 4648) for credentials: Basic auth uses the standard alphabet, JWS the URL-safe one.
///
/// Strict means one byte string has one encoding: characters outside the alphabet, whitespace, misplaced or missing
/// padding, and non-zero bits in the last symbol's unused low bits are all refused. A lenient decoder would let two
/// different token strings verify as the same bytes, which confuses anything keyed by the token text (revocation
/// by `jti` is fine, but caches and logs are not).
public enum Base64 {
    public enum Alphabet: Sendable {
        /// `+` and `/`, padded with `=` to a multiple of 4 (RFC 4648 §4). Used by HTTP Basic.
        case standard
        /// `-` and `_`, no padding (RFC 4648 §5, as JWS requires in RFC 7515 §2).
        case url
    }

    /// Decodes `input`, or returns nil when it is not the canonical encoding of some bytes in `alphabet`.
    public static func decode<C: Collection<UInt8>>(_ input: C, alphabet: Alphabet) -> [UInt8]? {
        var symbols = Array(input)
        switch alphabet {
        case .standard:
            // Padding is required: the encoded length is always a multiple of 4.
            guard symbols.count % 4 == 0 else { return nil }
            var pad = 0
            while pad < 2, let last = symbols.last, last == UInt8(ascii: "=") {
                symbols.removeLast()
                pad += 1
            }
        case .url:
            break  // any `=` is refused below as a character outside the alphabet
        }
        // 1 leftover symbol carries only 6 bits: never a whole byte.
        guard symbols.count % 4 != 1 else { return nil }

        var out: [UInt8] = []
        out.reserveCapacity(symbols.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for symbol in symbols {
            guard let value = sextet(symbol, alphabet) else { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Leftover bits (2 or 4) must be zero, or two encodings would decode to the same bytes.
        guard accumulator == 0 else { return nil }
        return out
    }

    private static func sextet(_ c: UInt8, _ alphabet: Alphabet) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+") where alphabet == .standard: return 62
        case UInt8(ascii: "/") where alphabet == .standard: return 63
        case UInt8(ascii: "-") where alphabet == .url: return 62
        case UInt8(ascii: "_") where alphabet == .url: return 63
        default: return nil
        }
    }
}
