internal import COpenSSL

/// One-shot message digests (websocket accept keys, credential fingerprints for logs) and HMACs (HS* JWTs).
public enum Digest {
    public static func sha1(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_sha1(), length: 20) }
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_sha256(), length: 32) }

    /// HMAC-SHA-256 of `message` under `key` (RFC 2104): what an HS256 JWT signs with. The demo's built-in client
    /// mints its tokens with it; verification goes through `hmac(_:key:message:)` as well.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        guard let mac = hmac(EVP_sha256(), key: key, message: message) else {
            preconditionFailure("HMAC-SHA-256 failed")
        }
        return mac
    }

    /// Nil when OpenSSL refuses (it does not for a valid digest); an empty key is the caller's concern.
    static func hmac(_ md: OpaquePointer?, key: [UInt8], message: [UInt8]) -> [UInt8]? {
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBufferPointer { data in
                mac.withUnsafeMutableBufferPointer { out in
                    HMAC(md, keyBytes.baseAddress, Int32(keyBytes.count), data.baseAddress, data.count, out.baseAddress, &length)
                }
            }
        }
        OpenSSLErrorQueue.clear()
        guard ok != nil else { return nil }
        return Array(mac.prefix(Int(length)))
    }

    private static func digest(_ bytes: [UInt8], _ md: OpaquePointer?, length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        var outLength: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { output in
                EVP_Digest(
                    input.baseAddress, input.count, output.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    &outLength, md, nil)
            }
        }
        precondition(ok == 1 && Int(outLength) == length, "EVP_Digest failed")
        return out
    }
}
