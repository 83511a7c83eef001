import Glibc
import Testing

@testable import CurfewTLS

@Suite struct TLSConnectionTests {
    let directory: CertificateDirectory

    init() throws {
        directory = try CertificateDirectory()
        try directory.makeSelfSigned("server", commonName: "localhost", subjectAltName: "DNS:localhost,IP:127.0.0.1")
    }

    func serverContext(
        clientCAFile: String? = nil, clientCertificate: ClientCertificateMode = .off, alpn: [String] = ["http/1.1"]
    ) throws -> TLSServerContext {
        try TLSServerContext(
            certificateChainFile: directory.file("server.pem"), privateKeyFile: directory.file("server.key"),
            clientCAFile: clientCAFile, clientCertificate: clientCertificate, alpn: alpn)
    }

    @Test func handshakeWithOpenSSLMadeCertificateNegotiatesALPNAndSeesSNI() throws {
        let sockets = try SocketPair()
        let server = try TLSConnection(server: try serverContext(), fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("server.pem")), fd: sockets.client,
            serverName: "localhost")
        let result = handshake(server: server, client: client)
        #expect(result.server == .complete)
        #expect(result.client == .complete)
        #expect(server.negotiatedALPN == "http/1.1")
        #expect(client.negotiatedALPN == "http/1.1")
        #expect(server.serverName == "localhost")
        #expect(server.protocolVersion == "TLSv1.3")
        #expect(server.peerCertificate == nil)
        #expect(client.peerCertificate?.subject == "CN=localhost")
    }

    @Test(arguments: [1, 1 << 20])
    func dataFlowsBothWays(size: Int) throws {
        let sockets = try SocketPair()
        let server = try TLSConnection(server: try serverContext(), fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("server.pem")), fd: sockets.client,
            serverName: "localhost")
        try #require(handshake(server: server, client: client) == (.complete, .complete))
        let upstream = SecureRandom.bytes(size)
        let downstream = SecureRandom.bytes(size)
        #expect(transfer(upstream, from: client, to: server) == upstream)
        #expect(transfer(downstream, from: server, to: client) == downstream)
    }

    @Test func selfSignedContextVerifiesForIPLiteralWithoutSNI() throws {
        let context = try TLSServerContext.selfSigned()
        try directory.write("self.pem", try #require(context.certificatePEM))
        let sockets = try SocketPair()
        let server = try TLSConnection(server: context, fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("self.pem")), fd: sockets.client,
            serverName: "127.0.0.1")
        #expect(handshake(server: server, client: client) == (.complete, .complete))
        #expect(server.serverName == nil, "SNI must not carry an IP literal")
        let notAfter = try #require(client.peerCertificate?.notAfter)
        let now = Int64(time(nil))
        #expect(notAfter > now + 29 * 86_400 && notAfter <= now + 30 * 86_400)
        let message = Array("ping".utf8)
        #expect(transfer(message, from: client, to: server) == message)
    }

    @Test func selfSignedContextVerifiesForHostName() throws {
        let context = try TLSServerContext.selfSigned(hostnames: ["sg.example.test"])
        try directory.write("named.pem", try #require(context.certificatePEM))
        let sockets = try SocketPair()
        let server = try TLSConnection(server: context, fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("named.pem")), fd: sockets.client,
            serverName: "sg.example.test")
        #expect(handshake(server: server, client: client) == (.complete, .complete))
        #expect(server.serverName == "sg.example.test")
    }

    @Test func hostNameMismatchFailsTheClient() throws {
        let sockets = try SocketPair()
        let server = try TLSConnection(server: try serverContext(), fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("server.pem")), fd: sockets.client,
            serverName: "sg.example.com")
        let result = handshake(server: server, client: client)
        guard case .failed(let message) = result.client else {
            Issue.record("client handshake should fail, got \(result.client)")
            return
        }
        #expect(message.contains("hostname mismatch"))
        #expect(result.server != .complete)
    }

    @Test func untrustedCertificateFailsTheClient() throws {
        let sockets = try SocketPair()
        let server = try TLSConnection(server: try TLSServerContext.selfSigned(), fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("server.pem")), fd: sockets.client,
            serverName: "localhost")
        guard case .failed = handshake(server: server, client: client).client else {
            Issue.record("a certificate outside the CA file must not verify")
            return
        }
    }

    @Test(arguments: [(Int32(0x0303), "TLSv1.2"), (Int32(0x0304), "TLSv1.3")])
    func singleVersionClientsConnect(version: Int32, name: String) throws {
        let sockets = try SocketPair()
        let server = try TLSConnection(server: try serverContext(), fd: sockets.server)
        let context = try TLSClientContext(
            caFile: directory.file("server.pem"), verifyPeer: true, alpn: ["http/1.1"], certificateChainFile: nil,
            privateKeyFile: nil, versions: version...version)
        let client = try TLSConnection(client: context, fd: sockets.client, serverName: "localhost")
        #expect(handshake(server: server, client: client) == (.complete, .complete))
        #expect(server.protocolVersion == name)
        #expect(client.protocolVersion == name)
        #expect(server.negotiatedALPN == "http/1.1")
        let payload = SecureRandom.bytes(100_000)
        #expect(transfer(payload, from: server, to: client) == payload)
    }

    @Test func unknownOrAbsentALPNIsNoALPNNotAFailure() throws {
        for offer in [["h2", "spdy/3"], []] {
            let sockets = try SocketPair()
            let server = try TLSConnection(server: try serverContext(), fd: sockets.server)
            let context = try TLSClientContext(caFile: directory.file("server.pem"), alpn: offer)
            let client = try TLSConnection(client: context, fd: sockets.client, serverName: "localhost")
            #expect(handshake(server: server, client: client) == (.complete, .complete))
            #expect(server.negotiatedALPN == nil)
            #expect(client.negotiatedALPN == nil)
        }
    }

    @Test func serverPreferenceDecidesALPN() throws {
        let sockets = try SocketPair()
        let server = try TLSConnection(server: try serverContext(alpn: ["h2", "http/1.1"]), fd: sockets.server)
        let context = try TLSClientContext(caFile: directory.file("server.pem"), alpn: ["http/1.1", "h2"])
        let client = try TLSConnection(client: context, fd: sockets.client, serverName: "localhost")
        #expect(handshake(server: server, client: client) == (.complete, .complete))
        #expect(server.negotiatedALPN == "h2")
    }

    @Test func requiredClientCertificateMissingFailsTheServer() throws {
        try directory.makeSelfSigned("alice", commonName: "alice", subjectAltName: "DNS:alice", days: 10)
        let sockets = try SocketPair()
        let context = try serverContext(clientCAFile: directory.file("alice.pem"), clientCertificate: .required)
        let server = try TLSConnection(server: context, fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("server.pem")), fd: sockets.client,
            serverName: "localhost")
        guard case .failed(let message) = handshake(server: server, client: client).server else {
            Issue.record("server must refuse a client without a certificate")
            return
        }
        #expect(message.contains("TLS handshake failed"))
    }

    @Test(arguments: [ClientCertificateMode.optional, .required])
    func clientCertificateIsVerifiedAndExposed(mode: ClientCertificateMode) throws {
        try directory.makeSelfSigned("alice", commonName: "alice", subjectAltName: "DNS:alice", days: 10)
        let sockets = try SocketPair()
        let context = try serverContext(clientCAFile: directory.file("alice.pem"), clientCertificate: mode)
        let server = try TLSConnection(server: context, fd: sockets.server)
        let clientContext = try TLSClientContext(
            caFile: directory.file("server.pem"), certificateChainFile: directory.file("alice.pem"),
            privateKeyFile: directory.file("alice.key"))
        let client = try TLSConnection(client: clientContext, fd: sockets.client, serverName: "localhost")
        #expect(handshake(server: server, client: client) == (.complete, .complete))
        let certificate = try #require(server.peerCertificate)
        #expect(certificate.subject == "CN=alice")
        let now = Int64(time(nil))
        #expect(certificate.notAfter > now + 9 * 86_400 && certificate.notAfter <= now + 10 * 86_400)
    }

    @Test func optionalClientCertificateMayBeAbsent() throws {
        try directory.makeSelfSigned("alice", commonName: "alice", subjectAltName: "DNS:alice")
        let sockets = try SocketPair()
        let context = try serverContext(clientCAFile: directory.file("alice.pem"), clientCertificate: .optional)
        let server = try TLSConnection(server: context, fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("server.pem")), fd: sockets.client,
            serverName: "localhost")
        #expect(handshake(server: server, client: client) == (.complete, .complete))
        #expect(server.peerCertificate == nil)
    }

    @Test func closeNotifyAndBareEOFBothReadAsClosed() throws {
        let sockets = try SocketPair()
        let server = try TLSConnection(server: try serverContext(), fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("server.pem")), fd: sockets.client,
            serverName: "localhost")
        try #require(handshake(server: server, client: client) == (.complete, .complete))
        client.shutdown()
        guard case .closed = readOutcome(server) else {
            Issue.record("close_notify should read as .closed")
            return
        }

        let other = try SocketPair()
        let server2 = try TLSConnection(server: try serverContext(), fd: other.server)
        let client2 = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("server.pem")), fd: other.client,
            serverName: "localhost")
        try #require(handshake(server: server2, client: client2) == (.complete, .complete))
        Glibc.shutdown(other.client, Int32(SHUT_RDWR))
        guard case .closed = readOutcome(server2) else {
            Issue.record("EOF without close_notify should read as .closed")
            return
        }
    }

    /// Writing to a closed peer must fail, not raise SIGPIPE. SIGPIPE is blocked on this thread for the duration
    /// (without touching the process-wide disposition), so a raised one stays pending where the test can see it.
    @Test func writeToClosedPeerFailsWithoutSIGPIPE() throws {
        let sockets = try SocketPair()
        let server = try TLSConnection(server: try serverContext(), fd: sockets.server)
        let client = try TLSConnection(
            client: try TLSClientContext(caFile: directory.file("server.pem")), fd: sockets.client,
            serverName: "localhost")
        try #require(handshake(server: server, client: client) == (.complete, .complete))
        Glibc.shutdown(sockets.client, Int32(SHUT_RDWR))

        var pipeOnly = sigset_t()
        var previous = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous)
        var result = TLSIOResult.bytes(0)
        let payload = [UInt8](repeating: 7, count: 4096)
        for _ in 0..<4 {
            result = payload.withUnsafeBytes { server.write($0) }
            if case .failed = result { break }
        }
        var pending = sigset_t()
        sigpending(&pending)
        let raised = sigismember(&pending, SIGPIPE) == 1
        if raised {
            var timeout = timespec()
            _ = sigtimedwait(&pipeOnly, nil, &timeout)  // consume it so the test fails cleanly instead of dying
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)

        #expect(!raised, "a TLS write raised SIGPIPE")
        guard case .failed(let error) = result else {
            Issue.record("writing to a shut-down peer should fail, got \(result)")
            return
        }
        #expect(error.kind == .io)
        #expect(error.message.contains("Broken pipe"))
    }

    @Test func missingCertificateFileNamesTheFile() throws {
        let missing = directory.file("nope.pem")
        #expect(throws: TLSError(.configuration, "cannot read certificate file \(missing): No such file or directory"))
        {
            try TLSServerContext(certificateChainFile: missing, privateKeyFile: directory.file("server.key"))
        }
    }

    @Test func mismatchedKeyNamesBothFiles() throws {
        try directory.makeSelfSigned("other", commonName: "other", subjectAltName: "DNS:other")
        let certificate = directory.file("server.pem")
        let key = directory.file("other.key")
        do {
            _ = try TLSServerContext(certificateChainFile: certificate, privateKeyFile: key)
            Issue.record("a mismatched key must be refused")
        } catch {
            #expect(error.kind == .configuration)
            #expect(error.message == "private key \(key) does not match certificate \(certificate)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func clientCertificatesNeedACAFile() {
        #expect(throws: TLSError.self) {
            try self.serverContext(clientCertificate: .required)
        }
    }

    @Test func notAPEMFileIsReported() throws {
        try directory.write("junk.pem", "not a certificate\n")
        do {
            _ = try TLSServerContext(
                certificateChainFile: directory.file("junk.pem"), privateKeyFile: directory.file("server.key"))
            Issue.record("junk must be refused")
        } catch {
            #expect(error.message == "no PEM certificate in certificate file \(directory.file("junk.pem"))")
        }
    }
}
