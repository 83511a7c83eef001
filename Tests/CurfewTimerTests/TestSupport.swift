@testable import CurfewTimer

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fixed-seed reproducible across platforms, unlike
/// the standard library's system generator.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_CE4E_5B9B
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension TimerQueue {
    /// Convenience for tests: the batch one `expire` call returns.
    mutating func expire(now: Int64) -> [ExpiredTimer] {
        var out: [ExpiredTimer] = []
        expire(now: now, into: &out)
        return out
    }
}

/// Rounds a time up to a multiple of `tick`.
func roundUp(_ time: Int64, to tick: Int64) -> Int64 {
    let (q, r) = time.quotientAndRemainder(dividingBy: tick)
    return r > 0 ? (q + 1) * tick : q * tick
}
