/// A fixed-seed PRNG (SplitMix64) so that every run draws the same deadlines and orders: runs are comparable, and
/// the wheel and the heap always get identical inputs. Everything random is drawn before any timed loop.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound`: the high word of a 64x64-bit product (Lemire, without the rejection step; the bias,
    /// below bound / 2^64, is far beneath anything measured here). Full width because deadlines span 6e10 ns.
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "empty range")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// `0..<count` in random order (Fisher-Yates).
    mutating func permutation(_ count: Int) -> [Int32] {
        var order = (0..<Int32(count)).map { $0 }
        var i = count - 1
        while i > 0 {
            order.swapAt(i, below(i + 1))
            i -= 1
        }
        return order
    }
}
