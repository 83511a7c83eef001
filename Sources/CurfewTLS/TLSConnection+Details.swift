internal import CCurfewSSL
internal import COpenSSL
internal import Glibc

/// What a verified peer certificate says, for enforcement (notAfter cuts mTLS websockets) and logs.
public struct PeerCertificate: Sendable, Equatable {
    /// Expiry, in Unix seconds.
    public let notAfter: Int64
    /// The subject as an RFC 2253 string (e.g. "CN=alice,O=Example").
    public let subject: String
}

extension TLSConnection {
    /// The protocol ALPN chose, if any (after the handshake).
    public var negotiatedALPN: String? {
        var data: UnsafePointer<UInt8>? = nil
        var length: UInt32 = 0
        SSL_get0_alpn_selected(sslPointer, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The SNI host name: on a server, what the client sent; on a client, what we sent.
    public var serverName: String? {
        guard let name = SSL_get_servername(sslPointer, TLSEXT_NAMETYPE_host_name) else { return nil }
        return String(cString: name)
    }

    /// "TLSv1.2" or "TLSv1.3" once the handshake is complete.
    public var protocolVersion: String { String(cString: SSL_get_version(sslPointer)) }

    /// The peer's certificate: a client's under mTLS (verified, or the handshake would have failed), or an
    /// upstream server's (verified unless the client context was made with `verifyPeer: false`). Nil when the peer
    /// sent none. On a resumed session it is the certificate from the original handshake.
    public var peerCertificate: PeerCertificate? {
        guard let raw = SSL_get1_peer_certificate(sslPointer) else { return nil }
        let certificate = X509Certificate(taking: raw)
        guard let notAfter = PeerCertificate.unixSeconds(X509_get0_notAfter(certificate.pointer)) else { return nil }
        return PeerCertificate(
            notAfter: notAfter, subject: PeerCertificate.rfc2253(X509_get_subject_name(certificate.pointer)))
    }
}

extension PeerCertificate {
    static func unixSeconds(_ time: UnsafePointer<ASN1_TIME>?) -> Int64? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Int64(timegm(&parts))
    }

    static func rfc2253(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, CURFEW_XN_FLAG_RFC2253) >= 0 else { return "" }
        return MemoryBIO.readAll(bio)
    }
}
