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
