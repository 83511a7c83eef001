/// Nearest-rank quantiles of a sample, sorted once.
struct Percentiles {
    private let sorted: [Double]

    init(_ samples: [Double]) { sorted = samples.sorted() }

    var isEmpty: Bool { sorted.isEmpty }
    var count: Int { sorted.count }
    var min: Double? { sorted.first }
    var max: Double? { sorted.last }

    /// `q` in 0...1; nil for an empty sample.
    func quantile(_ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank))]
    }
}
