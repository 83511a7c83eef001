internal import CCurfewSSL
internal import COpenSSL
internal import FoundationEssentials

/// A JSON Web Key Set (RFC 7517) of signature-verification public keys, built into OpenSSL keys once.
///
/// Kept: RSA (`n`, `e`), EC (`crv` P-256/P-384/P-521, `x`, `y`) and OKP Ed25519 (`x`) keys whose `use` is absent or
/// `sig`. Skipped without failing the set: keys with another `use` (e.g. `enc`), unknown `kty`, unknown curves, and
/// private-key members are ignored. A key of a known type that is malformed (bad base64url, wrong coordinate size,
/// point off the curve, RSA modulus under 2048 bits) fails the whole set: that is a broken issuer to report, not a
/// key to silently drop.
public struct JWKSet: Sendable {
    let keys: [JWK]

    /// The number of usable keys.
    public var count: Int { keys.count }

    /// The `kid`s of the usable keys (nil entries for keys without one), for diagnostics.
    public var keyIDs: [String?] { keys.map(\.keyID) }

    public init(jsonData: [UInt8]) throws(TLSError) {
        let document: JWKSetDocument
        do {
            document = try JSONDecoder().decode(JWKSetDocument.self, from: Data(jsonData))
        } catch {
            throw TLSError(.keySet, "JWK set is not valid JSON of the form {\"keys\": [...]}")
        }
        var keys: [JWK] = []
        for (index, member) in document.keys.enumerated() {
            if let use = member.use, use != "sig" { continue }
            if let key = try JWK(member, index: index) { keys.append(key) }
        }
        self.keys = keys
    }
}

/// The JSON members curfew reads; everything else in a JWK is ignored.
private struct JWKSetDocument: Decodable {
    struct Member: Decodable {
        let kty: String?
        let use: String?
        let kid: String?
        let alg: String?
        let n: String?
        let e: String?
        let crv: String?
        let x: String?
        let y: String?
    }
    let keys: [Member]
}

/// The curves JOSE names, with the OpenSSL group name and the size of one coordinate (and of r and s).
enum ECCurve: Sendable, Equatable {
    case p256, p384, p521

    init?(jose name: String) {
        switch name {
        case "P-256": self = .p256
        case "P-384": self = .p384
        case "P-521": self = .p521
        default: return nil
        }
    }

    var groupName: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        }
    }

    var coordinateSize: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }
}

/// What a key can verify, which decides whether it fits an algorithm (the key-confusion defence).
enum JWKType: Sendable, Equatable {
    case rsa
    case ec(ECCurve)
    case ed25519
}

/// One usable public key.
struct JWK: Sendable {
    let keyID: String?
    let algorithm: String?
    let type: JWKType
    let key: EVPKey

    /// RSA keys below this size are refused: 1024-bit RSA is factorable by well-funded attackers.
    static let minimumRSABits = 2048

    /// Nil for a key to skip (unknown type or curve); throws for a malformed key of a known type.
    fileprivate init?(_ member: JWKSetDocument.Member, index: Int) throws(TLSError) {
        let label = member.kid.map { "JWK \"\($0)\"" } ?? "JWK #\(index)"
        func decode(_ name: String, _ value: String?) throws(TLSError) -> [UInt8] {
            guard let value, let bytes = Base64.decodeURL(Array(value.utf8)), !bytes.isEmpty else {
                throw TLSError(.keySet, "\(label): member \"\(name)\" is missing or not base64url")
            }
            return bytes
        }
        OpenSSLErrorQueue.clear()
        switch member.kty {
        case "RSA":
            let key = try KeyBuilder.rsa(
                modulus: try decode("n", member.n), exponent: try decode("e", member.e), label: label)
            guard key.bits >= Self.minimumRSABits else {
                throw TLSError(
                    .keySet, "\(label): RSA key is \(key.bits) bits, at least \(Self.minimumRSABits) required")
            }
            type = .rsa
            self.key = key
        case "EC":
            guard let curve = member.crv.flatMap(ECCurve.init(jose:)) else { return nil }
            let x = try decode("x", member.x)
            let y = try decode("y", member.y)
            guard x.count == curve.coordinateSize, y.count == curve.coordinateSize else {
                throw TLSError(
                    .keySet, "\(label): \(curve.groupName) coordinates must be \(curve.coordinateSize) bytes")
            }
            type = .ec(curve)
            key = try KeyBuilder.ec(curve: curve, x: x, y: y, label: label)
        case "OKP":
            guard member.crv == "Ed25519" else { return nil }
            let x = try decode("x", member.x)
            guard x.count == 32 else { throw TLSError(.keySet, "\(label): Ed25519 key must be 32 bytes") }
            type = .ed25519
            key = try KeyBuilder.ed25519(x, label: label)
        default:
            return nil
        }
        keyID = member.kid
        algorithm = member.alg
    }
}

/// Public keys from raw components, the OpenSSL 3 way (OSSL_PARAM_BLD + EVP_PKEY_fromdata; no deprecated RSA_/EC_KEY).
///
/// OSSL_PARAM_BLD stores parameter names, BIGNUMs, strings and octet buffers *by reference* until
/// OSSL_PARAM_BLD_to_param copies them. So names are static C strings (never a Swift String, whose C bridge is a
/// temporary), and each `build` closure calls `to_param` while its buffers are still in scope.
enum KeyBuilder {
    static func rsa(modulus: [UInt8], exponent: [UInt8], label: String) throws(TLSError) -> EVPKey {
        let n = modulus.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
        let e = exponent.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
        defer {
            BN_free(n)
            BN_free(e)
        }
        return try fromData(type: "RSA", label: label) { builder in
            guard OSSL_PARAM_BLD_push_BN(builder, cName("n"), n) == 1,
                OSSL_PARAM_BLD_push_BN(builder, cName("e"), e) == 1
            else { return nil }
            return OSSL_PARAM_BLD_to_param(builder)
        }
    }

    static func ec(curve: ECCurve, x: [UInt8], y: [UInt8], label: String) throws(TLSError) -> EVPKey {
        // The uncompressed SEC1 point: 0x04 || x || y. OpenSSL checks that it lies on the curve while decoding.
        let point: [UInt8] = [0x04] + x + y
        return try fromData(type: "EC", label: label) { builder in
            curve.groupName.withCString { group in
                point.withUnsafeBytes { bytes in
                    guard OSSL_PARAM_BLD_push_utf8_string(builder, cName("group"), group, 0) == 1,
                        OSSL_PARAM_BLD_push_octet_string(builder, cName("pub"), bytes.baseAddress, bytes.count) == 1
                    else { return nil }
                    return OSSL_PARAM_BLD_to_param(builder)
                }
            }
        }
    }

    static func ed25519(_ x: [UInt8], label: String) throws(TLSError) -> EVPKey {
        let key = x.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }
        guard let key else { throw TLSError.openSSL(.keySet, "\(label): invalid Ed25519 public key") }
        return EVPKey(taking: key)
    }

    /// A NUL-terminated C string with static lifetime (Swift emits string literals NUL-terminated).
    private static func cName(_ name: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static func fromData(
        type: String, label: String, build: (OpaquePointer) -> UnsafeMutablePointer<OSSL_PARAM>?
    ) throws(TLSError) -> EVPKey {
        guard let builder = OSSL_PARAM_BLD_new() else { throw TLSError.openSSL(.keySet, "\(label): out of memory") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard let params = build(builder) else {
            throw TLSError.openSSL(.keySet, "\(label): invalid \(type) key parameters")
        }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw TLSError.openSSL(.keySet, "\(label): OpenSSL lacks \(type)")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_fromdata_init(context) == 1,
            EVP_PKEY_fromdata(context, &key, CURFEW_EVP_PKEY_PUBLIC_KEY, params) == 1, let key
        else { throw TLSError.openSSL(.keySet, "\(label): invalid \(type) public key") }
        return EVPKey(taking: key)
    }
}
