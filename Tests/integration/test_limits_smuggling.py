"""Request limits (414/431/408) and request-smuggling defences (400)."""
from __future__ import annotations

import select
import ssl
import time

import pytest
from httpio import PeerClosed
from wsclient import HTTPConn


def _send_raw(curfew, tls_ctx, raw: bytes):
    c = HTTPConn(curfew.port, tls_ctx)
    try:
        c.send(raw)
        return c.read_response()
    finally:
        c.close()


def _head(curfew, request_line: str, fields: list[str]) -> bytes:
    return (request_line + "\r\n" + f"Host: localhost:{curfew.port}\r\n"
            + "".join(f + "\r\n" for f in fields) + "\r\n").encode("latin-1")


def _request_line(length: int) -> tuple[str, str]:
    """A request line of exactly `length` bytes (CRLF excluded) and its target."""
    fixed = len("GET ") + len(" HTTP/1.1")
    target = "/db/" + "a" * (length - fixed - len("/db/"))
    line = f"GET {target} HTTP/1.1"
    assert len(line) == length
    return line, target


def test_request_line_of_8192_bytes_is_accepted(curfew, tls_ctx, fake_sg):
    line, target = _request_line(8192)
    r = _send_raw(curfew, tls_ctx, _head(curfew, line, []))
    assert r.status == 200
    assert fake_sg.wait_for_request(lambda q: q.target == target)


def test_request_line_of_8193_bytes_is_414(curfew, tls_ctx, fake_sg):
    line, target = _request_line(8193)
    r = _send_raw(curfew, tls_ctx, _head(curfew, line, []))
    assert r.status == 414
    assert fake_sg.requests == []


def test_header_block_under_limit_is_accepted(curfew, tls_ctx, fake_sg):
    fields = [f"X-Big-{i}: " + "b" * 7000 for i in range(4)]  # ~28 KB
    assert _send_raw(curfew, tls_ctx, _head(curfew, "GET /db/big HTTP/1.1", fields)).status == 200
    assert len(fake_sg.wait_for_request(lambda q: q.path == "/db/big").head.get("X-Big-3")) == 7000


def test_header_block_over_32768_is_431(curfew, tls_ctx, fake_sg):
    fields = [f"X-Big-{i}: " + "b" * 7000 for i in range(5)]  # ~35 KB
    r = _send_raw(curfew, tls_ctx, _head(curfew, "GET /db/big HTTP/1.1", fields))
    assert r.status == 431
    assert fake_sg.requests == []


def test_100_header_fields_accepted(curfew, tls_ctx, fake_sg):
    fields = [f"X-F-{i}: v{i}" for i in range(99)]  # + Host = 100 fields
    assert _send_raw(curfew, tls_ctx, _head(curfew, "GET /db/f100 HTTP/1.1", fields)).status == 200
    req = fake_sg.wait_for_request(lambda q: q.path == "/db/f100")
    assert req.head.get("X-F-98") == "v98"


def test_101_header_fields_is_431(curfew, tls_ctx, fake_sg):
    fields = [f"X-F-{i}: v{i}" for i in range(100)]  # + Host = 101 fields
    assert _send_raw(curfew, tls_ctx, _head(curfew, "GET /db/f101 HTTP/1.1", fields)).status == 431
    assert fake_sg.requests == []


SMUGGLING = {
    "cl-and-te": b"POST /db/s HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "te-and-cl": b"POST /db/s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                 b"Content-Length: 5\r\n\r\n0\r\n\r\n",
    "differing-duplicate-cl": b"POST /db/s HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                              b"Content-Length: 6\r\n\r\nhello!",
    "obs-fold": b"GET /db/s HTTP/1.1\r\nHost: h\r\nX-A: a\r\n  folded\r\n\r\n",
    "control-char-in-value": b"GET /db/s HTTP/1.1\r\nHost: h\r\nX-A: a\x01b\r\n\r\n",
}


@pytest.mark.parametrize("name", list(SMUGGLING))
def test_smuggling_attempts_are_400_and_never_reach_sg(curfew, tls_ctx, fake_sg, name):
    r = _send_raw(curfew, tls_ctx, SMUGGLING[name])
    assert r.status == 400
    assert fake_sg.requests == []
    assert curfew.alive()


def test_bad_chunk_size_is_400(curfew, tls_ctx, fake_sg):
    raw = (b"PUT /db/s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"zz\r\nhello\r\n0\r\n\r\n")
    r = _send_raw(curfew, tls_ctx, raw)
    assert r.status == 400
    # SG may have seen the head (bodies stream), but never a completed body.
    assert all(q.body != b"hello" for q in fake_sg.requests)


def test_slow_header_past_header_timeout_is_408(curfew, tls_ctx, fake_sg):
    """Pieces arrive every 0.3 s, so only a whole-head deadline (2 s) can fire, not an idle one."""
    c = HTTPConn(curfew.port, tls_ctx, timeout=10)
    try:
        c.send(b"GET /db/slow HTTP/1.1\r\n")
        deadline = time.monotonic() + 8
        i = 0
        while time.monotonic() < deadline:
            if c.sock.pending() or select.select([c.sock], [], [], 0.3)[0]:
                # Readable may only mean a TLS 1.3 session ticket arrived: it counts only if application data did.
                c.sock.setblocking(False)
                try:
                    data = c.sock.recv(65536)
                except ssl.SSLWantReadError:
                    data = None
                finally:
                    c.sock.settimeout(10)
                if data is not None:
                    c.bs.buf += data
                    break
            try:
                c.send(f"X-Slow-{i}: v\r\n".encode())
            except OSError:
                break
            i += 1
        else:
            pytest.fail("curfew never answered a head that took > 8 s")
        try:
            r = c.read_response()
        except PeerClosed:
            pytest.fail("connection closed without a 408")
        assert r.status == 408
        assert i >= 3, "408 came before the header timeout could have elapsed"
    finally:
        c.close()
    assert fake_sg.requests_to("/db/slow") == []
