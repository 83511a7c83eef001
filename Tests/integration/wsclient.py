"""A tiny raw HTTP/websocket client over (TLS) sockets.

Raw on purpose: tests must be able to send malformed frames and to tell a close *frame* apart from
a bare TCP close, which a real websocket library hides.
"""
from __future__ import annotations

import socket
import ssl
import time

from httpio import BufferedSock, PeerClosed, Response, read_head, read_response
from wsproto import (OP_CLOSE, OP_PONG, Frame, FrameDecoder, accept_key, close_payload,
                     encode_frame, new_client_key)

DEFAULT_TIMEOUT = 5.0

BLIP_OFFER = "BLIP_3+CBMobile_4,BLIP_3+CBMobile_3,SyncGatewaySession_abc123"


def client_tls_context(ca_file: str, *, alpn: list[str] | None = None,
                       min_version: ssl.TLSVersion | None = None,
                       max_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca_file)
    if alpn:
        ctx.set_alpn_protocols(alpn)
    if min_version:
        ctx.minimum_version = min_version
    if max_version:
        ctx.maximum_version = max_version
    return ctx


def connect(port: int, *, ctx: ssl.SSLContext | None = None, server_hostname: str = "localhost",
            timeout: float = DEFAULT_TIMEOUT) -> socket.socket:
    """TCP connect to 127.0.0.1:port, TLS handshake when ctx is given. Every op gets `timeout`."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if ctx is None:
        return raw
    try:
        return ctx.wrap_socket(raw, server_hostname=server_hostname)
    except Exception:
        raw.close()
        raise


class HTTPConn:
    """One client connection; several requests may be sent on it (keep-alive)."""

    def __init__(self, port: int, ctx: ssl.SSLContext | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.port = port
        self.sock = connect(port, ctx=ctx, timeout=timeout)
        self.bs = BufferedSock(self.sock)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(self, method: str, target: str, *, headers: list[tuple[str, str]] | None = None,
                body: bytes | None = None, host: str | None = None) -> Response:
        self.send(build_request(method, target, headers=headers, body=body,
                                host=host or f"localhost:{self.port}"))
        return self.read_response(method)

    def read_response(self, method: str = "GET") -> Response:
        return read_response(self.bs, method=method)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def build_request(method: str, target: str, *, headers: list[tuple[str, str]] | None = None,
                  body: bytes | None = None, host: str = "localhost") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    hdrs = list(headers or [])
    names = {k.lower() for k, _ in hdrs}
    if body is not None and "content-length" not in names and "transfer-encoding" not in names:
        hdrs.append(("Content-Length", str(len(body))))
    lines += [f"{k}: {v}" for k, v in hdrs]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def chunked(parts: list[bytes]) -> bytes:
    out = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p)
    return out + b"0\r\n\r\n"


class WSClosed(Exception):
    """The TCP/TLS stream ended. `partial` holds undecoded bytes left in the buffer."""

    def __init__(self, partial: bytes):
        super().__init__(f"connection closed ({len(partial)} undecoded bytes)")
        self.partial = partial


class WSClient:
    """Raw websocket client. `connect()` does the upgrade and checks the accept key."""

    def __init__(self, sock: socket.socket, bs: BufferedSock, response: Response, key: str):
        self.sock = sock
        self.bs = bs
        self.response = response
        self.key = key
        self.dec = FrameDecoder()
        self.dec.feed(bytes(bs.buf))  # bytes that arrived together with the 101
        bs.buf.clear()
        self.bytes_received = 0

    @classmethod
    def connect(cls, port: int, path: str = "/db/_blipsync", *, ctx: ssl.SSLContext | None = None,
                headers: list[tuple[str, str]] | None = None, protocols: str | None = BLIP_OFFER,
                timeout: float = DEFAULT_TIMEOUT, expect_status: int = 101) -> "WSClient":
        sock = connect(port, ctx=ctx, timeout=timeout)
        key = new_client_key()
        hdrs = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13")]
        if protocols is not None:
            hdrs.append(("Sec-WebSocket-Protocol", protocols))
        hdrs += headers or []
        sock.sendall(build_request("GET", path, headers=hdrs, host=f"localhost:{port}"))
        bs = BufferedSock(sock)
        head = read_head(bs)
        status = int(head.start_line.split(" ")[1])
        resp = Response(status, head.start_line.split(" ", 2)[-1], head, b"")
        if status != expect_status:
            sock.close()
            raise AssertionError(f"expected {expect_status}, got {head.start_line!r}")
        if status == 101 and head.get("Sec-WebSocket-Accept") != accept_key(key):
            sock.close()
            raise AssertionError("wrong Sec-WebSocket-Accept")
        return cls(sock, bs, resp, key)

    # sending -------------------------------------------------------------------------------
    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, opcode: int, payload: bytes = b"", *, fin: bool = True, rsv: int = 0,
             mask: bool = True) -> None:
        self.sock.sendall(encode_frame(opcode, payload, fin=fin, rsv=rsv, mask=mask))

    def send_close(self, code: int | None = 1000, reason: str = "") -> None:
        self.send(OP_CLOSE, close_payload(code, reason))

    # receiving -----------------------------------------------------------------------------
    def _pull(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no websocket data before deadline")
        self.sock.settimeout(remaining)
        try:
            data = self.bs.recv_some()
        except PeerClosed:
            raise WSClosed(bytes(self.dec.buf)) from None
        except socket.timeout:
            raise TimeoutError("no websocket data before deadline") from None
        self.bytes_received += len(data)
        self.dec.feed(data)

    def recv_frame(self, timeout: float = DEFAULT_TIMEOUT) -> Frame:
        """Next frame; raises WSClosed on EOF, TimeoutError when nothing complete arrives."""
        deadline = time.monotonic() + timeout
        while True:
            f = self.dec.next_frame()
            if f is not None:
                return f
            self._pull(deadline)

    def recv_until_closed(self, timeout: float = DEFAULT_TIMEOUT) -> tuple[list[Frame], bytes]:
        """All frames up to EOF, plus trailing undecoded bytes. TimeoutError if EOF never comes."""
        frames: list[Frame] = []
        deadline = time.monotonic() + timeout
        while True:
            f = self.dec.next_frame()
            if f is not None:
                frames.append(f)
                continue
            try:
                self._pull(deadline)
            except WSClosed as closed:
                return frames, closed.partial

    def expect_close_frame(self, timeout: float = DEFAULT_TIMEOUT, *, reply: bool = True) -> Frame:
        """Skip nothing: the next frame must be a close frame. Optionally echo it (close handshake)."""
        f = self.recv_frame(timeout)
        assert f.opcode == OP_CLOSE, f"expected close frame, got opcode {f.opcode:#x} ({len(f.payload)} B)"
        assert not f.masked, "server frames must not be masked"
        if reply:
            try:
                self.send(OP_CLOSE, f.payload[:2])
            except OSError:
                pass
        return f

    def expect_pong(self, payload: bytes, timeout: float = DEFAULT_TIMEOUT) -> Frame:
        f = self.recv_frame(timeout)
        assert f.opcode == OP_PONG and f.payload == payload, f"expected pong {payload!r}, got {f}"
        return f

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
