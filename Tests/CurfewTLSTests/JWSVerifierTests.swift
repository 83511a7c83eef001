import CurfewPolicy
import FoundationEssentials
import Testing

@testable import CurfewTLS

/// The committed vectors from scripts/make-jwt-vectors.py (PyJWT + cryptography).
private struct VectorFile: Decodable {
    struct Vector: Decodable {
        let name: String
        let token: String
        let verifier: String
        let expected: String
    }
    let hmacSecret: String
    let vectors: [Vector]
}

private struct TokenHeader: Decodable {
    let alg: String
    let kid: String?
}

/// Splits a compact JWS the way CurfewPolicy will: signing input, decoded header and signature.
private func split(_ token: String) throws -> (alg: String, kid: String?, input: [UInt8], signature: [UInt8]) {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    try #require(parts.count == 3)
    let header = try JSONDecoder().decode(
        TokenHeader.self, from: Data(try #require(Base64.decodeURL(Array(parts[0].utf8)))))
    let signature = try #require(Base64.decodeURL(Array(parts[2].utf8)))
    return (header.alg, header.kid, Array("\(parts[0]).\(parts[1])".utf8), signature)
}

private func fixture(_ name: String) throws -> [UInt8] {
    let path = String(#filePath.dropLast("JWSVerifierTests.swift".count)) + "Fixtures/" + name
    return try FileBytes.read(path).get()
}

private func expectedCheck(_ name: String) -> JWTSignatureCheck? {
    switch name {
    case "valid": .valid
    case "invalid": .invalid
    case "unknownKey": .unknownKey
    default: nil
    }
}

@Suite struct JWSVerifierTests {
    /// Python: hmac.new(b"", b"e30.e30", hashlib.sha256).digest()
    static let hmacSHA256EmptyKey: [UInt8] = [
        232, 71, 125, 50, 110, 10, 138, 218, 163, 198, 180, 2, 5, 155, 59, 1, 145, 240, 223, 92, 13, 138, 194, 141,
        153, 31, 155, 46, 129, 194, 131, 149,
    ]

    @Test func committedVectorsFromPyJWT() throws {
        let bytes = try fixture("jwt-vectors.json")
        let file = try JSONDecoder().decode(VectorFile.self, from: Data(bytes))
        let keySet = try JWKSet(jsonData: try bytes.jwksOnly())
        let keyVerifier = JWSVerifier(keySet: keySet)
        let hmacVerifier = JWSVerifier(hmacSecret: try #require(Base64.decodeURL(Array(file.hmacSecret.utf8))))
        #expect(file.vectors.count >= 30)
        for vector in file.vectors {
            let (alg, kid, input, signature) = try split(vector.token)
            let verifier = vector.verifier == "hmac" ? hmacVerifier : keyVerifier
            let result = verifier.verify(algorithm: alg, keyID: kid, signingInput: input, signature: signature)
            #expect(result == expectedCheck(vector.expected), "\(vector.name)")
        }
    }

    @Test func keySetSkipsEncryptionAndUnknownKeys() throws {
        let keySet = try JWKSet(jsonData: try fixture("jwt-vectors.json").jwksOnly())
        #expect(keySet.count == 5)
        #expect(keySet.keyIDs == ["rsa-1", "p256-1", "p384-1", "ed-1", "rsa-pinned"])
    }

    @Test func malformedKeysFailTheSet() {
        let cases = [
            #"{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}"#,  // wrong coordinate size
            #"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"#,  // tiny modulus
            #"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"not+base64url"}]}"#,
            #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(String(repeating: "A", count: 43))","y":"\#(String(repeating: "A", count: 43))"}]}"#,  // (0,0) is not on the curve
            #"{"no":"keys"}"#,
        ]
        for json in cases {
            #expect(throws: TLSError.self, "\(json)") { try JWKSet(jsonData: Array(json.utf8)) }
        }
    }

    @Test func emptyOrForeignSetsHaveNoKeys() throws {
        let keySet = try JWKSet(
            jsonData: Array(#"{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"EC","crv":"secp256k1"}]}"#.utf8))
        #expect(keySet.count == 0)
        let verifier = JWSVerifier(keySet: keySet)
        #expect(verifier.verify(algorithm: "RS256", keyID: nil, signingInput: [1], signature: [1]) == .unknownKey)
        #expect(verifier.verify(algorithm: "none", keyID: nil, signingInput: [1], signature: []) == .invalid)
    }

    @Test func emptyHMACSecretVerifiesNothing() {
        let verifier = JWSVerifier(hmacSecret: [])
        let input = Array("e30.e30".utf8)
        // HMAC-SHA256 of "e30.e30" under the empty key: computable by anyone, so it must not count.
        let mac = Self.hmacSHA256EmptyKey
        #expect(verifier.verify(algorithm: "HS256", keyID: nil, signingInput: input, signature: mac) == .invalid)
    }

    @Test func ecdsaJOSEToDERHandlesHighBitsAndLeadingZeros() throws {
        let r: [UInt8] = [0x80] + [UInt8](repeating: 1, count: 31)
        let s: [UInt8] = [0x00, 0x00, 0x7f] + [UInt8](repeating: 2, count: 29)
        let der = try #require(ECDSASignature.der(fromJOSE: r + s, coordinateSize: 32))
        #expect(der == [0x30, 67, 0x02, 33, 0x00] + r + [0x02, 30] + s.dropFirst(2))
        #expect(ECDSASignature.der(fromJOSE: r, coordinateSize: 32) == nil)
    }
}

/// Minimal JSON value, to carry the fixture's `jwks` member back to bytes unchanged.
private enum AnyJSON: Codable {
    case object([String: AnyJSON])
    case array([AnyJSON])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AnyJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AnyJSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}

extension [UInt8] {
    fileprivate func jwksOnly() throws -> [UInt8] {
        let all = try JSONDecoder().decode([String: AnyJSON].self, from: Data(self))
        return Array(try JSONEncoder().encode(try #require(all["jwks"])))
    }
}
