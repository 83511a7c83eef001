/// The websocket half of a backend connection: echo, sink, source, and the control frames.
extension BackendConn {
    /// Parses client frames in `data` from `pos` on.
    func consumeFrames(_ data: UnsafeRawBufferPointer, _ pos: inout Int) {
        while true {
            switch parser.next(data, &pos) {
            case .needMore:
                return
            case .header:
                let h = parser.header
                lastFrameLength = h.length
                if Opcode.isControl(h.opcode) {
                    control.removeAll(keepingCapacity: true)
                } else if mode == .echo {
                    // Same opcode and FIN, unmasked: the header shrinks by the 4 key bytes.
                    let q = outQueue()
                    let n = FrameWriter.writeHeader(
                        to: q.reserve(FrameWriter.maxHeaderLength), opcode: h.opcode, fin: h.fin, payload: Int(h.length),
                        masked: false)
                    q.commit(n)
                }
            case .payload(let start, let count, let offset):
                let h = parser.header
                let src = data.baseAddress! + start
                let key = h.masked ? h.maskKey : 0
                if Opcode.isControl(h.opcode) {
                    let from = control.count
                    control.append(contentsOf: UnsafeRawBufferPointer(start: src, count: count))
                    control.withUnsafeMutableBytes { c in
                        Masking.copy(from: c.baseAddress! + from, to: c.baseAddress! + from, count: count, key: key, offset: offset)
                    }
                } else if mode == .echo {
                    let q = outQueue()
                    Masking.copy(from: src, to: q.reserve(count), count: count, key: key, offset: offset)
                    q.commit(count)
                }
            case .end:
                switch parser.header.opcode {
                case Opcode.ping:
                    let q = outQueue()
                    control.withUnsafeBytes { FrameWriter.appendControl(to: q, opcode: Opcode.pong, payload: $0, masked: false) }
                case Opcode.close:
                    // Answer with the client's code (RFC 6455 §5.5.1), then close TCP once it is written.
                    let code = control.count >= 2 ? UInt16(control[0]) << 8 | UInt16(control[1]) : nil
                    FrameWriter.appendClose(to: outQueue(), code: code, masked: false)
                    closeWhenFlushed = true
                    phase = .closing
                    return
                default:
                    break
                }
            case .protocolError:
                FrameWriter.appendClose(to: outQueue(), code: 1002, masked: false)
                closeWhenFlushed = true
                phase = .closing
                return
            }
        }
    }
}
