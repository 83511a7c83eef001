import CurfewNet

/// The backend's listener and what its connections share: the loop, one read buffer, the canned source streams.
final class BackendServer: EventHandler {
    static let scratchSize = 256 << 10

    let loop: EventLoop
    let scratch: UnsafeMutableRawBufferPointer
    let boundAddress: String
    private let listener: Int32
    private let stop: StopSignal
    private let waker: StopWaker
    private var sources: [Int: SourceStream] = [:]
    private var acceptFailureNoted = false

    init(address: SocketAddress, stop: StopSignal) throws(IOError) {
        loop = try EventLoop(maxEventsPerWait: 512)
        listener = try Socket.listen(on: address, reusePort: false, backlog: 4096)
        boundAddress = (try? Socket.localAddress(listener).description) ?? address.description
        self.stop = stop
        waker = StopWaker(stop.mailbox)
        scratch = .allocate(byteCount: Self.scratchSize, alignment: 16)
        try loop.registerReadOnly(fd: listener, handler: self)
        try loop.registerReadOnly(fd: stop.mailbox.fd, handler: waker)
    }

    deinit { scratch.deallocate() }

    /// Serves until SIGTERM/SIGINT (or the safety bound).
    func run(maxSeconds: Double) {
        let deadline = Clock.now() + Clock.nanoseconds(seconds: maxSeconds)
        while !stop.isRaised, Clock.now() < deadline {
            loop.runOnce(timeoutMilliseconds: 500)
        }
        closeFileDescriptor(listener)
    }

    /// The shared stream of server frames for `size` (built once per size).
    func source(size: Int) -> SourceStream {
        if let s = sources[size] { return s }
        let s = SourceStream(frameSize: size)
        sources[size] = s
        return s
    }

    /// The listener is readable: accept everything pending (edge-triggered).
    func handleEvent(fd: Int32, readiness: Readiness) {
        while true {
            do {
                switch try Socket.accept(listener) {
                case .wouldBlock: return
                case .done(let accepted):
                    Socket.setNoDelay(accepted.fd)
                    let conn = BackendConn(fd: accepted.fd, server: self)
                    do {
                        try loop.register(fd: accepted.fd, handler: conn)
                    } catch {
                        closeFileDescriptor(accepted.fd)
                    }
                }
            } catch {
                // EMFILE and friends: say so once; the next connection's edge retries.
                if !acceptFailureNoted { Console.note("backend: accept failed: \(error)") }
                acceptFailureNoted = true
                return
            }
        }
    }
}

/// `mode=source`: server frames of one size back to back (at least 256 KiB of them), written round and round by
/// every source connection, so sending costs no copying and no framing work.
final class SourceStream {
    let block: UnsafeMutableRawBufferPointer
    let frameLength: Int

    init(frameSize: Int) {
        frameLength = FrameWriter.headerLength(payload: frameSize, masked: false) + frameSize
        let frames = Swift.max(1, (256 << 10) / frameLength)
        block = .allocate(byteCount: frames * frameLength, alignment: 16)
        for f in 0..<frames {
            let p = block.baseAddress! + f * frameLength
            let h = FrameWriter.writeHeader(to: p, opcode: Opcode.binary, payload: frameSize, masked: false)
            for i in 0..<frameSize { (p + h).storeBytes(of: UInt8(truncatingIfNeeded: i &* 7), toByteOffset: i, as: UInt8.self) }
        }
    }

    deinit { block.deallocate() }
}
