import Glibc
import Testing

@testable import CurfewTLS

/// A scratch directory with certificates made by the `openssl` CLI, an independent source from our own code.
final class CertificateDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/curfew-tls-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = try #require(made.map { String(cString: $0) })
    }

    deinit { _ = run("rm -rf '\(path)'") }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// A self-signed EC P-256 certificate (`name`.pem, `name`.key) valid for `days`, with the given SAN.
    func makeSelfSigned(_ name: String, commonName: String, subjectAltName: String, days: Int = 30) throws {
        let status = run(
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                + " -keyout '\(file(name + ".key"))' -out '\(file(name + ".pem"))' -days \(days)"
                + " -subj '/CN=\(commonName)' -addext 'subjectAltName=\(subjectAltName)' 2>/dev/null")
        try #require(status == 0, "openssl req failed for \(name)")
    }

    func write(_ name: String, _ text: String) throws {
        let fd = open(file(name), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        try #require(written == bytes.count)
    }
}

@discardableResult
func run(_ command: String) -> Int32 {
    let status = system(command)
    return status == -1 ? -1 : (status >> 8) & 0xff
}

/// A connected, non-blocking AF_UNIX stream pair; the test owns and closes both fds.
final class SocketPair {
    let server: Int32
    let client: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        server = fds[0]
        client = fds[1]
        // No signal(SIGPIPE, SIG_IGN) here on purpose: TLSConnection must not raise SIGPIPE (see SocketBIO).
    }

    deinit {
        close(server)
        close(client)
    }
}

enum Outcome: Equatable {
    case complete, pending
    case failed(String)
}

extension TLSHandshakeResult {
    var outcome: Outcome {
        switch self {
        case .complete: .complete
        case .wantRead, .wantWrite: .pending
        case .failed(let error): .failed(error.description)
        }
    }
}

/// Steps both handshakes in turn until neither can progress. Every step does socket I/O that the other side
/// consumes next, so a bounded number of rounds suffices; nothing sleeps.
func handshake(server: TLSConnection, client: TLSConnection) -> (server: Outcome, client: Outcome) {
    var serverOutcome = Outcome.pending
    var clientOutcome = Outcome.pending
    for _ in 0..<50 {
        if clientOutcome == .pending { clientOutcome = client.handshake().outcome }
        if serverOutcome == .pending { serverOutcome = server.handshake().outcome }
        if serverOutcome != .pending && clientOutcome != .pending { break }
    }
    return (serverOutcome, clientOutcome)
}

/// Sends `payload` from `sender` to `receiver`, interleaving partial writes and reads; returns what arrived.
func transfer(_ payload: [UInt8], from sender: TLSConnection, to receiver: TLSConnection) -> [UInt8] {
    var sent = 0
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 32 << 10)
    var idleRounds = 0
    while received.count < payload.count && idleRounds < 10 {
        var progressed = false
        if sent < payload.count {
            let result = payload.withUnsafeBytes { sender.write(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            if case .bytes(let n) = result, n > 0 {
                sent += n
                progressed = true
            }
        }
        repeat {
            let result = buffer.withUnsafeMutableBytes { receiver.read(into: $0) }
            guard case .bytes(let n) = result, n > 0 else { break }
            received += buffer[0..<n]
            progressed = true
        } while receiver.hasBufferedPlaintext || received.count < sent
        idleRounds = progressed ? 0 : idleRounds + 1
    }
    return received
}

/// Reads once, retrying only while the socket has nothing yet; for checking close behaviour.
func readOutcome(_ connection: TLSConnection) -> TLSIOResult {
    var buffer = [UInt8](repeating: 0, count: 1024)
    var result = TLSIOResult.wantRead
    for _ in 0..<10 {
        result = buffer.withUnsafeMutableBytes { connection.read(into: $0) }
        if case .wantRead = result { continue }
        break
    }
    return result
}
