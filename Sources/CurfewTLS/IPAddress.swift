internal import Glibc

/// Distinguishes IP literals from host names: SNI must not carry an IP address (RFC 6066 §3), and certificates
/// name IPs in iPAddress SAN entries, not dNSName.
enum IPAddress {
    static func isLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
