internal import COpenSSL

/// Comparisons whose duration does not depend on where the inputs differ (MACs, tokens, secrets).
public enum ConstantTime {
    /// True when `a` and `b` are equal. The time depends only on the length, which is not secret here.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) }
        }
            == 0
    }
}
