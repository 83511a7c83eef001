import CurfewPolicy
import CurfewTLS

/// Who a request is, once its credential has been checked. Holds no secret but the raw SG session id, which
/// is needed to recheck the session with SG and is never logged (`sessionFingerprint` is).
struct Identity: Sendable {
    var credential: AuthenticatedCredential
    var jti: String?
    var sessionID: String?
    var sessionFingerprint: String?

    var user: String? { credential.user }
    var kind: CredentialKind { credential.kind }
    /// Operator-facing identity: revocations and heartbeats are per user name (across databases).
    var userKey: UserKey? { credential.user.map { UserKey(db: nil, name: $0) } }
}

/// Log-safe ids for secrets: the first 16 hex digits of SHA-256 over a kind prefix and the secret.
/// Stable, so an operator can match a log line to a revocation; one-way, so a log line reveals nothing usable.
enum Fingerprint {
    static func of(_ kind: String, _ secret: String) -> String {
        let digest = Digest.sha256(Array(kind.utf8) + [0] + Array(secret.utf8))
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest.prefix(8) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func session(_ id: String) -> String { of("session", id) }
}

/// What the credential on a request amounts to, before any SG round trip.
enum Credentialing {
    /// No credential at all.
    case anonymous
    case identified(Identity)
    /// An SG session: only SG's admin API can say whether it is valid and whose it is.
    case session(id: String)
    case rejected(reason: String, bearer: Bool)
}

extension AuthSettings {
    /// Reads and checks the credential of a request. Times in unix milliseconds.
    func examine(_ headers: [(name: String, value: String)], now: Int64) -> Credentialing {
        switch extractor.extract(from: headers) {
        case .none:
            return .anonymous
        case .malformed(let reason):
            return .rejected(reason: reason, bearer: false)
        case .bearer(let token):
            guard let jwt else { return .rejected(reason: "bearer_not_accepted", bearer: true) }
            switch jwt.validate(token, now: now / 1000) {
            case .failure(let rejection):
                return .rejected(reason: rejection.reason, bearer: true)
            case .success(let verified):
                var credential = AuthenticatedCredential(verified: verified)
                credential.credentialID = verified.jti ?? Fingerprint.of("jwt", token)
                return .identified(Identity(credential: credential, jti: verified.jti))
            }
        case .basic(let user, let password):
            let credential = AuthenticatedCredential(
                kind: .basic, user: user, credentialID: Fingerprint.of("basic", user + ":" + password),
                expiresAt: nil, issuedAt: nil)
            return .identified(Identity(credential: credential))
        case .session(let id, _):
            return .session(id: id)
        }
    }
}
