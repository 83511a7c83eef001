import Testing

@testable import CurfewLog

@Suite struct RFC3339Tests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
        (1_796_342_400_007, "2026-12-04T00:00:00.007Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ])
    func formatsUTCWithMilliseconds(milliseconds: Int64, expected: String) {
        #expect(RFC3339.format(milliseconds: milliseconds) == expected)
        var line: [UInt8] = Array("ts=".utf8)
        RFC3339.append(milliseconds: milliseconds, to: &line)
        #expect(String(decoding: line, as: UTF8.self) == "ts=" + expected)
    }
}
