"""Minimal blocking HTTP/1.1 message reading over any socket-like object (plain or TLS).

Both the fake Sync Gateway (reading requests) and the test client (reading responses) use it, so
the parsing is strict enough to notice a malformed message but never "fixes" one.
"""
from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field


class PeerClosed(Exception):
    """The peer closed (EOF, reset, TLS EOF) before the expected bytes arrived."""


CLOSE_ERRORS = (ConnectionError, ssl.SSLEOFError, ssl.SSLZeroReturnError, BrokenPipeError)


class BufferedSock:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.eof = False

    def _fill(self) -> None:
        try:
            data = self.sock.recv(262144)
        except CLOSE_ERRORS as exc:
            self.eof = True
            raise PeerClosed(str(exc)) from exc
        except ssl.SSLError as exc:  # e.g. "unexpected eof while reading" on some builds
            self.eof = True
            raise PeerClosed(str(exc)) from exc
        if not data:
            self.eof = True
            raise PeerClosed("eof")
        self.buf += data

    def recv_some(self) -> bytes:
        """Whatever is buffered, or one recv() worth. Raises PeerClosed on EOF."""
        if not self.buf:
            self._fill()
        out = bytes(self.buf)
        self.buf.clear()
        return out

    def read_until(self, marker: bytes, limit: int = 1 << 20) -> bytes:
        while True:
            idx = self.buf.find(marker)
            if idx >= 0:
                out = bytes(self.buf[:idx + len(marker)])
                del self.buf[:idx + len(marker)]
                return out
            if len(self.buf) > limit:
                raise ValueError("message head too long")
            self._fill()

    def read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_to_eof(self) -> bytes:
        try:
            while True:
                self._fill()
        except PeerClosed:
            pass
        out = bytes(self.buf)
        self.buf.clear()
        return out


@dataclass
class Head:
    raw: bytes
    start_line: str
    headers: list[tuple[str, str]] = field(default_factory=list)

    def get_all(self, name: str) -> list[str]:
        n = name.lower()
        return [v for k, v in self.headers if k.lower() == n]

    def get(self, name: str, default: str | None = None) -> str | None:
        vals = self.get_all(name)
        return vals[0] if vals else default

    def has_token(self, name: str, token: str) -> bool:
        return any(token.lower() == t.strip().lower()
                   for v in self.get_all(name) for t in v.split(","))


def parse_head(raw: bytes) -> Head:
    text = raw.decode("latin-1")
    lines = text.split("\r\n")
    head = Head(raw=raw, start_line=lines[0])
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        head.headers.append((name, value.strip(" \t")))
    return head


def read_head(bs: BufferedSock) -> Head:
    return parse_head(bs.read_until(b"\r\n\r\n"))


def read_chunked(bs: BufferedSock) -> tuple[bytes, bytes]:
    """Returns (decoded body, raw chunked bytes as received)."""
    raw = bytearray()
    body = bytearray()
    while True:
        line = bs.read_until(b"\r\n", limit=4096)
        raw += line
        size = int(line.split(b";")[0].strip(), 16)
        if size == 0:
            # trailers until empty line
            while True:
                t = bs.read_until(b"\r\n", limit=65536)
                raw += t
                if t == b"\r\n":
                    return bytes(body), bytes(raw)
        data = bs.read_exact(size + 2)
        raw += data
        if data[-2:] != b"\r\n":
            raise ValueError("chunk not terminated by CRLF")
        body += data[:-2]


@dataclass
class Response:
    status: int
    reason: str
    head: Head
    body: bytes

    def header(self, name: str) -> str | None:
        return self.head.get(name)


def read_response(bs: BufferedSock, *, method: str = "GET") -> Response:
    head = read_head(bs)
    parts = head.start_line.split(" ", 2)
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        body = b""
    elif head.has_token("Transfer-Encoding", "chunked"):
        body, _ = read_chunked(bs)
    elif head.get("Content-Length") is not None:
        body = bs.read_exact(int(head.get("Content-Length")))
    else:
        body = bs.read_to_eof()
    return Response(status, reason, head, body)
