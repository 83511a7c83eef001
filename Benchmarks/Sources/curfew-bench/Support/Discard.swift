#if canImport(Glibc)
import Glibc
#endif
import CurfewNet

/// Drops up to `count` bytes from a TCP socket's receive queue without copying them: Linux's recv(MSG_TRUNC) on
/// TCP discards (tcp(7)). Payload nobody looks at (`mode=sink`, `bulk down` over plain ws) then costs the kernel one
/// copy instead of two, which keeps the direct run well ahead of any proxy.
enum Discard {
    static func tcp(_ fd: Int32, upTo count: Int) throws(IOError) -> SyscallResult<Int> {
        try syscall("recv(MSG_TRUNC)") { Glibc.recv(fd, nil, count, Int32(MSG_TRUNC) | Int32(MSG_DONTWAIT)) }
    }
}
