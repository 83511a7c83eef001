import CurfewPolicy

/// What arrives with each connection before enforcement starts — the handshake's output — drawn before the setup
/// clock starts, so `setup_s` is the enforcement set-up alone (state machine, record, table insert, wheel entry).
struct EngineWorkload {
    static let seed: UInt64 = 0x5EED_CAFE_0000_0001
    /// Devices per user: several connections share a user name, as phones and tablets of one person do.
    static let connectionsPerUser = 4
    /// `max_connection_age`: far past the window, so the earliest-deadline choice runs but the JWT always wins.
    static let maxAgeMilliseconds: Int64 = 24 * 3_600_000
    static let path = "/db/_blipsync"

    let connections: Int
    /// JWT `jti`s: 22 base64url characters (128 random bits), a common issuer format; long enough to live on the heap,
    /// as real ones do.
    let jtis: [String]
    let users: [String]
    let remotes: [String]
    /// Where in the window each connection's expiry falls, in 1/connections steps: a random order, so connection ids
    /// (and wheel slab slots) are not in deadline order.
    let windowSlots: [Int32]

    init(connections: Int) {
        var random = SplitMix64(seed: Self.seed)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        self.connections = connections
        jtis = (0..<connections).map { _ in
            var bits = (random.next(), random.next())
            var text: [UInt8] = []
            text.reserveCapacity(22)
            for i in 0..<22 {
                let word = i < 11 ? bits.0 : bits.1
                text.append(alphabet[Int(word & 63)])
                if i < 11 { bits.0 = word >> 6 } else { bits.1 = word >> 6 }
            }
            return String(decoding: text, as: UTF8.self)
        }
        let userCount = max(1, connections / Self.connectionsPerUser)
        users = (0..<connections).map { _ in "user-\(random.below(userCount))" }
        remotes = (0..<connections).map { _ in
            let address = random.next()
            return "198.51.\(address & 0xFF).\((address >> 8) & 0xFF):\(1024 + (address >> 16) % 64_000)"
        }
        windowSlots = random.permutation(connections)
    }

    /// The JWT credential of connection `index` (`exp + leeway` in ms, spread uniformly over the window).
    ///
    /// Real JWT expiries are whole seconds, so a real burst lands on one second boundary; the spread here is the
    /// uniform arrival asked of this benchmark, and it is finer than JWTs allow.
    func credential(_ index: Int, windowStart: Int64, windowMilliseconds: Int64, issuedAt: Int64) -> AuthenticatedCredential {
        let offset = Int64(windowSlots[index]) * windowMilliseconds / Int64(connections)
        return AuthenticatedCredential(
            kind: .jwt, user: users[index], credentialID: jtis[index], expiresAt: windowStart + offset,
            issuedAt: issuedAt)
    }
}
