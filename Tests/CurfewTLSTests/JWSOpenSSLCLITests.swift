import CurfewPolicy
import Testing

@testable import CurfewTLS

/// Signatures made at test time by the `openssl` CLI: a second source, independent of PyJWT.
@Suite struct JWSOpenSSLCLITests {
    let directory: CertificateDirectory
    let signingInput = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9".utf8)

    init() throws {
        directory = try CertificateDirectory()
        try directory.write("input", String(decoding: signingInput, as: UTF8.self))
    }

    private func sh(_ command: String) throws {
        try #require(run("cd '\(directory.path)' && \(command) 2>/dev/null") == 0, "\(command)")
    }

    private func read(_ name: String) throws -> [UInt8] { try FileBytes.read(directory.file(name)).get() }

    private func base64url(_ bytes: [UInt8]) -> String {
        String(
            Base64.encode(bytes).compactMap { c -> Character? in c == "+" ? "-" : c == "/" ? "_" : c == "=" ? nil : c })
    }

    private func rsaKeySet() throws -> JWKSet {
        try sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key")
        try sh("openssl rsa -in rsa.key -noout -modulus > modulus")
        let text = String(decoding: try read("modulus"), as: UTF8.self)
        let line = try #require(text.split(separator: "=").last)
        let hex = String(line.filter { $0.isHexDigit })
        var modulus: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            modulus.append(try #require(UInt8(hex[index..<next], radix: 16)))
            index = next
        }
        let json = #"{"keys":[{"kty":"RSA","kid":"cli","n":"\#(base64url(modulus))","e":"AQAB"}]}"#
        return try JWKSet(jsonData: Array(json.utf8))
    }

    @Test func rs256AndPS256FromOpenSSLDgst() throws {
        let verifier = JWSVerifier(keySet: try rsaKeySet())
        try sh("openssl dgst -sha256 -sign rsa.key -out rs256.sig input")
        try sh(
            "openssl dgst -sha256 -sign rsa.key -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest"
                + " -sigopt rsa_mgf1_md:sha256 -out ps256.sig input")
        let rs = try read("rs256.sig")
        let ps = try read("ps256.sig")
        #expect(verifier.verify(algorithm: "RS256", keyID: "cli", signingInput: signingInput, signature: rs) == .valid)
        #expect(verifier.verify(algorithm: "PS256", keyID: "cli", signingInput: signingInput, signature: ps) == .valid)
        // Each padding only verifies as itself, and a different input fails.
        #expect(
            verifier.verify(algorithm: "PS256", keyID: "cli", signingInput: signingInput, signature: rs) == .invalid)
        #expect(
            verifier.verify(algorithm: "RS256", keyID: "cli", signingInput: signingInput, signature: ps) == .invalid)
        #expect(
            verifier.verify(algorithm: "RS256", keyID: "cli", signingInput: signingInput + [0x41], signature: rs)
                == .invalid)
    }

    @Test func ed25519FromOpenSSLPkeyutl() throws {
        try sh("openssl genpkey -algorithm ed25519 -out ed.key")
        try sh("openssl pkey -in ed.key -pubout -outform DER -out ed.pub.der")
        try sh("openssl pkeyutl -sign -rawin -inkey ed.key -in input -out ed.sig")
        let publicKey = Array(try read("ed.pub.der").suffix(32))  // SubjectPublicKeyInfo ends with the raw key
        let json = #"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"\#(base64url(publicKey))"}]}"#
        let verifier = JWSVerifier(keySet: try JWKSet(jsonData: Array(json.utf8)))
        let signature = try read("ed.sig")
        #expect(signature.count == 64)
        #expect(
            verifier.verify(algorithm: "EdDSA", keyID: nil, signingInput: signingInput, signature: signature) == .valid)
        #expect(
            verifier.verify(
                algorithm: "EdDSA", keyID: nil, signingInput: Array(signingInput.dropLast()), signature: signature)
                == .invalid)
    }
}
