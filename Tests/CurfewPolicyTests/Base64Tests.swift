import Testing

@testable import CurfewPolicy

@Suite struct Base64Tests {
    @Test(arguments: [0, 1, 2, 3, 4, 5, 31, 64, 255])
    func roundTripsEveryLengthInBothAlphabets(length: Int) throws {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let std = TestBase64.encode(bytes, url: false, pad: true)
        let url = TestBase64.encode(bytes, url: true, pad: false)
        #expect(Base64.decode(Array(std.utf8), alphabet: .standard) == bytes)
        #expect(Base64.decode(Array(url.utf8), alphabet: .url) == bytes)
    }

    @Test func knownVectors() {
        // RFC 4648 §10.
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE="]
        for (plain, encoded) in vectors {
            #expect(Base64.decode(Array(encoded.utf8), alphabet: .standard) == Array(plain.utf8))
        }
        #expect(Base64.decode(Array("-_8".utf8), alphabet: .url) == [0xFB, 0xFF])
        #expect(Base64.decode(Array("+/8=".utf8), alphabet: .standard) == [0xFB, 0xFF])
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zg===", "Z===", "Zm8", "Z", "Zm9v Yg==", "Zm9v\nYg==", "Zg=a", "=Zg=", "-_8=", "Zh==", "Zm9=",
    ])
    func standardRefusesNonCanonicalInput(_ input: String) {
        #expect(Base64.decode(Array(input.utf8), alphabet: .standard) == nil)
    }

    @Test(arguments: ["Zg==", "Zg=", "+/8", "Z", "Zh", "Zm9", "Zm 9", "Zm9v.", "Zm9vYmFy!"])
    func urlRefusesPaddingForeignCharactersAndNonZeroTrailingBits(_ input: String) {
        #expect(Base64.decode(Array(input.utf8), alphabet: .url) == nil)
    }
}
