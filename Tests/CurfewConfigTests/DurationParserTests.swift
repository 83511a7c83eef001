import Testing

@testable import CurfewConfig

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)),
        ("90s", .seconds(90)),
        ("5m", .seconds(300)),
        ("12h", .seconds(43_200)),
        ("1d", .seconds(86_400)),
        ("0s", .zero),
        ("1500ms", .milliseconds(1500)),
    ])
    func parsesIntegerAndUnit(text: String, expected: Duration) {
        #expect(DurationParser.parse(text) == expected)
    }

    @Test(arguments: [
        "", "5", "5x", "-1s", "1.5s", " 5s", "5 s", "5S", "s", "1ms5", "99999999999999999999d",
        "1000000d",
    ])
    func refuses(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }

    @Test func problemsAreTold() {
        #expect(DurationParser.parseDetailed("5") == .failure(.bareNumber))
        #expect(DurationParser.parseDetailed("1.5s") == .failure(.fraction))
        #expect(DurationParser.parseDetailed("-1s") == .failure(.negative))
        #expect(DurationParser.parseDetailed("5x") == .failure(.badUnit("x")))
        #expect(DurationParser.parseDetailed("") == .failure(.empty))
        #expect(DurationParser.parseDetailed("ms") == .failure(.notANumber))
    }

    @Test(arguments: [
        (Duration.milliseconds(500), "500ms"),
        (.seconds(90), "90s"),
        (.seconds(300), "5m"),
        (.seconds(43_200), "12h"),
        (.seconds(86_400), "1d"),
        (.milliseconds(1500), "1500ms"),
        (.zero, "0s"),
    ])
    func formatsTheShortForm(duration: Duration, expected: String) {
        #expect(DurationParser.format(duration) == expected)
        #expect(DurationParser.parse(expected) == duration)
    }
}
