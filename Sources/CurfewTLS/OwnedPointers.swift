internal import COpenSSL

// Each OpenSSL object curfew keeps is owned by one of these classes and freed in `deinit`, so that every early
// return and thrown error path releases it without a `defer` to forget (the swift-crypto pattern).

/// An `EVP_PKEY*` (private key, JWK public key).
///
/// SAFETY: an EVP_PKEY is immutable once built and OpenSSL 3 documents it as safe to use from several threads at
/// once for signing and verification; every operation creates its own EVP_MD_CTX/EVP_PKEY_CTX.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer` (one reference).
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }

    /// The key's size in bits (RSA modulus size, EC field size).
    var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }
}

/// An `X509*` certificate.
final class X509Certificate {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer` (one reference).
    init(taking pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_free(pointer) }

    /// A new reference for an OpenSSL call that takes ownership (`SSL_CTX_add_extra_chain_cert`).
    func retainedPointer() -> OpaquePointer {
        X509_up_ref(pointer)
        return pointer
    }
}

/// A read-only memory `BIO` over bytes that outlive it.
final class MemoryBIO {
    let pointer: OpaquePointer
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes`: BIO_new_mem_buf does not copy, and Swift array storage may not be held past a closure.
    init(_ bytes: [UInt8]) {
        storage = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
        storage.copyBytes(from: bytes)
        pointer = BIO_new_mem_buf(storage.baseAddress, Int32(bytes.count))!
    }

    deinit {
        BIO_free(pointer)
        storage.deallocate()
    }
}
