internal import COpenSSL

/// Cryptographically secure random bytes (websocket keys, serial numbers, nonces).
public enum SecureRandom {
    /// `n` bytes from OpenSSL's CSPRNG. Traps if the generator fails: continuing without randomness is never safe.
    public static func bytes(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        guard n > 0 else { return out }
        let ok = out.withUnsafeMutableBytes {
            RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(n))
        }
        precondition(ok == 1, "RAND_bytes failed")
        return out
    }
}
