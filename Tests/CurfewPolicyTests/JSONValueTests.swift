import Testing

@testable import CurfewPolicy

@Suite struct JSONValueTests {
    func parse(_ text: String) -> JSONValue? { JSONValue.parse(Array(text.utf8)) }

    @Test func parsesTheShapesClaimsUse() throws {
        let value = try #require(
            parse(#" {"iss":"https://i","aud":["a","b"],"exp":1.7e9,"n":-0.5,"t":true,"f":false,"z":null,"o":{}} "#))
        #expect(value["iss"] == .string("https://i"))
        #expect(value["aud"] == .array([.string("a"), .string("b")]))
        #expect(value["exp"] == .number(1_700_000_000))
        #expect(value["n"] == .number(-0.5))
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["z"] == .null)
        #expect(value["o"] == .object([:]))
    }

    @Test func decodesEscapes() {
        #expect(parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\né😀"))
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{\"a\":1,\"a\":2}", "[1,]", "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", "\"abc", "\"\\x\"", "\"\\ud83d\"", "\"\\ude00\"", "\"a\u{01}b\"", "{} {}", "{'a':1}", "NaN",
        "1e999",
    ])
    func refusesInvalidJSON(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(JSONValue.parse([0x22, 0xFF, 0x22]) == nil)
        #expect(parse(String(repeating: "[", count: 40) + String(repeating: "]", count: 40)) == nil)
        #expect(parse(String(repeating: "[", count: 10) + String(repeating: "]", count: 10)) != nil)
    }
}
