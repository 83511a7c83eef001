internal import COpenSSL

/// An ALPN protocol list in wire format (length-prefixed names), in storage that lives as long as its owner.
///
/// `SSL_select_next_proto` returns a pointer *into* the server's list, which OpenSSL reads after the callback
/// returns; the list therefore cannot be a temporary Swift array. It is allocated once per context and freed in
/// `deinit`, after the SSL_CTX that points at it (the context object frees its SSL_CTX first).
final class ALPNWireList {
    let bytes: UnsafeMutableRawBufferPointer

    /// - Throws: when a name is empty or longer than 255 bytes (the wire length prefix is one byte).
    init(_ protocols: [String]) throws(TLSError) {
        var wire: [UInt8] = []
        for name in protocols {
            let utf8 = Array(name.utf8)
            guard (1...255).contains(utf8.count) else {
                throw TLSError(.configuration, "ALPN protocol name must be 1 to 255 bytes: \"\(name)\"")
            }
            wire.append(UInt8(utf8.count))
            wire.append(contentsOf: utf8)
        }
        bytes = .allocate(byteCount: max(wire.count, 1), alignment: 1)
        bytes.copyBytes(from: wire)
        count = wire.count
    }

    /// Wire length (the allocation is at least one byte even for an empty list).
    let count: Int

    var base: UnsafePointer<UInt8> { UnsafePointer(bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)) }

    deinit { bytes.deallocate() }
}

/// The server's ALPN select callback: the first protocol in the server's list that the client also offers.
/// A client offering only protocols we do not speak gets no ALPN rather than a failed handshake
/// (`SSL_TLSEXT_ERR_NOACK`): plain HTTP/1.1 clients that send odd lists still work.
/// `argument` is the server's `ALPNWireList`, unretained (the context keeps it alive).
let alpnSelectServerPreference:
    @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
        UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
    ) -> Int32 = { _, out, outLength, clientList, clientLength, argument in
        guard let argument, let out, let outLength, let clientList else { return SSL_TLSEXT_ERR_NOACK }
        let server = Unmanaged<ALPNWireList>.fromOpaque(argument).takeUnretainedValue()
        var selected: UnsafeMutablePointer<UInt8>? = nil
        var selectedLength: UInt8 = 0
        let result = SSL_select_next_proto(
            &selected, &selectedLength, server.base, UInt32(server.count), clientList, clientLength)
        guard result == OPENSSL_NPN_NEGOTIATED, let selected else { return SSL_TLSEXT_ERR_NOACK }
        out.pointee = UnsafePointer(selected)
        outLength.pointee = selectedLength
        return SSL_TLSEXT_ERR_OK
    }
