/// RFC 6455 §5.3 masking, eight bytes at a time.
enum Masking {
    /// Copies `count` bytes from `src` to `dst` XOR-ed with `key` (in wire byte order, as `FrameParser` loads it),
    /// starting `offset` bytes into the payload (the key's phase). A zero key is a plain copy.
    static func copy(
        from src: UnsafeRawPointer, to dst: UnsafeMutableRawPointer, count: Int, key: UInt32, offset: UInt64
    ) {
        if key == 0 {
            dst.copyMemory(from: src, byteCount: count)
            return
        }
        // Rotate the key so that its first byte applies to src[0]; on little-endian memory byte k of a loaded word
        // is bits 8k..8k+7, so the rotation is a right shift.
        let phase = UInt32(offset & 3) * 8
        let k32 = phase == 0 ? key : (key >> phase) | (key << (32 - phase))
        let k64 = UInt64(k32) | UInt64(k32) << 32
        var i = 0
        while i + 8 <= count {
            let w = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            dst.storeBytes(of: w ^ k64, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        var k = k32
        while i < count {
            dst.storeBytes(of: src.load(fromByteOffset: i, as: UInt8.self) ^ UInt8(truncatingIfNeeded: k), toByteOffset: i, as: UInt8.self)
            k = k >> 8 | k << 24
            i += 1
        }
    }
}
