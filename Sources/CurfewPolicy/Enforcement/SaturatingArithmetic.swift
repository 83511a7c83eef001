extension Int64 {
    /// `self + other`, clamped to `Int64.min...Int64.max`. Deadlines are sums of times and configured durations; a
    /// silly configuration (or `.max` meaning "forever") must not trap the process.
    @inline(__always)
    func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}

extension Int64 {
    /// `self * other`, clamped (seconds to milliseconds without trapping).
    @inline(__always)
    func saturatingMultiply(_ other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) != (other < 0) ? .min : .max) : product
    }
}
