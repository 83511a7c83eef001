import Testing

@testable import CurfewTLS

@Suite struct HelperTests {
    @Test func base64MatchesRFC4648Vectors() {
        let vectors = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors { #expect(Base64.encode(Array(plain.utf8)) == encoded) }
    }

    @Test func websocketAcceptKeyFromRFC6455() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==" + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
        #expect(Base64.encode(Digest.sha1(Array(key.utf8))) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func base64URLDecodes() {
        #expect(Base64.decodeURL(Array("Zm9vYmE".utf8)) == Array("fooba".utf8))
        #expect(Base64.decodeURL(Array("Zm9vYmE=".utf8)) == Array("fooba".utf8))
        #expect(Base64.decodeURL(Array("_-8".utf8)) == [0xff, 0xef])
        #expect(Base64.decodeURL(Array("Zm9v+A".utf8)) == nil, "standard alphabet is not base64url")
        #expect(Base64.decodeURL(Array("Z".utf8)) == nil, "a single symbol cannot encode a byte")
        #expect(Base64.decodeURL(Array("Zh".utf8)) == nil, "non-zero trailing bits are not canonical")
    }

    @Test func base64URLEncodesWithoutPaddingAndRoundTrips() {
        #expect(Base64.encodeURL([0xff, 0xef]) == "_-8")
        #expect(Base64.encodeURL(Array("fooba".utf8)) == "Zm9vYmE")
        #expect(Base64.encodeURL([]) == "")
        for length in 0..<40 {
            let bytes = SecureRandom.bytes(length)
            #expect(Base64.decodeURL(Array(Base64.encodeURL(bytes).utf8)) == bytes)
        }
    }

    @Test func hmacSHA256MatchesRFC4231() {
        // RFC 4231 test case 2.
        let mac = Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        let hex = mac.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        #expect(hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([], []))
    }

    @Test func secureRandomGivesFreshBytes() {
        let a = SecureRandom.bytes(32)
        let b = SecureRandom.bytes(32)
        #expect(a.count == 32)
        #expect(a != b)
        #expect(SecureRandom.bytes(0).isEmpty)
    }
}
