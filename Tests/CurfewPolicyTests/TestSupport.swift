@testable import CurfewPolicy

/// Test-only base64 encoder, written independently of the decoder under test.
enum TestBase64 {
    static func encode(_ bytes: [UInt8], url: Bool, pad: Bool) -> String {
        let table = Array(
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + (url ? "-_" : "+/")).utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2: UInt8 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 0x03) << 4 | b1 >> 4)])
            if i + 1 < bytes.count {
                out.append(table[Int((b1 & 0x0F) << 2 | b2 >> 6)])
            } else if pad {
                out.append(UInt8(ascii: "="))
            }
            if i + 2 < bytes.count { out.append(table[Int(b2 & 0x3F)]) } else if pad { out.append(UInt8(ascii: "=")) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func url(_ text: String) -> String { encode(Array(text.utf8), url: true, pad: false) }
    static func url(_ bytes: [UInt8]) -> String { encode(bytes, url: true, pad: false) }
    static func std(_ text: String) -> String { encode(Array(text.utf8), url: false, pad: true) }
}

/// A stand-in for the OpenSSL verifier: a signature is valid when it equals `FakeVerifier.sign(...)`, a keyed
/// FNV-1a digest of the signing input. Keys are known by `kid`; a token without `kid` uses the key named "".
struct FakeVerifier: JWTSignatureVerifier {
    var keys: [String: UInt8]

    init(keys: [String: UInt8] = ["k1": 7, "": 3]) { self.keys = keys }

    func verify(algorithm: String, keyID: String?, signingInput: [UInt8], signature: [UInt8]) -> JWTSignatureCheck {
        guard let key = keys[keyID ?? ""] else { return .unknownKey }
        return signature == Self.sign(key: key, algorithm: algorithm, input: signingInput) ? .valid : .invalid
    }

    static func sign(key: UInt8, algorithm: String, input: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in [key] + Array(algorithm.utf8) + [0] + input {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return (0..<8).map { UInt8(truncatingIfNeeded: hash >> (8 * UInt64($0))) }
    }
}

/// Builds compact JWS strings from raw JSON text, so tests control every byte of header and payload.
struct TokenBuilder {
    var headerJSON: String = #"{"alg":"RS256","kid":"k1","typ":"JWT"}"#
    var algorithmForSignature = "RS256"
    var key: UInt8 = 7

    func token(_ payloadJSON: String) -> String {
        let signingInput = TestBase64.url(headerJSON) + "." + TestBase64.url(payloadJSON)
        let signature = FakeVerifier.sign(key: key, algorithm: algorithmForSignature, input: Array(signingInput.utf8))
        return signingInput + "." + TestBase64.url(signature)
    }
}

/// 2026-01-01T00:00:00Z, a fixed "now" for claim tests.
let testNow: Int64 = 1_767_225_600
