import Testing
@testable import CurfewTimer

/// The wheel's allocation-free sort must agree exactly with the standard library's sort on (deadline, sequence).
@Suite struct DueRecordSortTests {
    static func records(_ count: Int, deadlines: Int64, using rng: inout SplitMix64) -> [DueRecord] {
        // Sequences are unique, as the slab's are; deadlines drawn from a small range collide often.
        let sequences = (0..<UInt64(count)).shuffled(using: &rng)
        return sequences.map { sequence in
            DueRecord(
                deadline: Int64.random(in: 0..<deadlines, using: &rng), sequence: sequence, token: sequence &* 31,
                index: Int32(truncatingIfNeeded: sequence), generation: 7)
        }
    }

    static func sorted(_ input: [DueRecord]) -> [DueRecord] {
        var copy = input
        copy.withUnsafeMutableBufferPointer { DueRecordSort.sort($0) }
        return copy
    }

    static func keys(_ records: [DueRecord]) -> [[UInt64]] {
        records.map { [UInt64(bitPattern: $0.deadline), $0.sequence, $0.token] }
    }

    @Test func matchesTheStandardSortOnRandomInput() {
        var rng = SplitMix64(seed: 0xD0E5_0127)
        for count in Array(0...40) + [63, 64, 65, 100, 1000, 4097, 50_000] {
            for deadlines: Int64 in [1, 3, 1000, .max] {
                let input = Self.records(count, deadlines: deadlines, using: &rng)
                let expected = input.sorted { $0.precedes($1) }
                #expect(Self.keys(Self.sorted(input)) == Self.keys(expected), "count \(count) deadlines \(deadlines)")
            }
        }
    }

    /// Shapes that defeat naive quicksorts (sorted, reversed, organ pipe, sawtooth): right answer, and the depth
    /// limit keeps them from going quadratic (this would take minutes if it did).
    @Test func adversarialShapes() {
        let n = 200_000
        func make(_ deadline: (Int) -> Int64) -> [DueRecord] {
            (0..<n).map { DueRecord(deadline: deadline($0), sequence: UInt64($0), token: 0, index: Int32($0), generation: 0) }
        }
        let shapes: [(String, [DueRecord])] = [
            ("sorted", make { Int64($0) }),
            ("reversed", make { Int64(n - $0) }),
            ("organ pipe", make { Int64(min($0, n - $0)) }),
            ("sawtooth", make { Int64($0 % 17) }),
            ("all equal", make { _ in 42 }),
            ("sorted then one", make { $0 == n - 1 ? -1 : Int64($0) }),
        ]
        for (name, input) in shapes {
            let expected = input.sorted { $0.precedes($1) }
            #expect(Self.keys(Self.sorted(input)) == Self.keys(expected), "\(name)")
        }
    }
}
