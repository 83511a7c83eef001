"""REST proxying: bodies byte-exact both ways, chunked both ways, keep-alive to SG, streaming
_changes, hop-by-hop and X-Forwarded-* handling, 502 when SG is down."""
from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

from fakesg import CHANGES_FIRST, CHANGES_REST, CHUNKED_PARTS
from helpers import read_chunks_until
from httpio import read_head
from wsclient import HTTPConn, chunked


def test_get_with_content_length_response(curfew, tls_ctx, fake_sg):
    c = HTTPConn(curfew.port, tls_ctx)
    r = c.request("GET", "/db/doc1?rev=1-abc&secretq=zzz")
    c.close()
    assert r.status == 200
    assert r.header("Content-Length") == str(len(r.body))
    data = json.loads(r.body)
    assert (data["method"], data["path"], data["query"]) == ("GET", "/db/doc1", "rev=1-abc&secretq=zzz")
    assert r.header("Server") == "fake-sg"
    req = fake_sg.wait_for_request(lambda q: q.path == "/db/doc1")
    assert req.target == "/db/doc1?rev=1-abc&secretq=zzz"
    ev = curfew.wait_for_event("http", lambda e: e.get("path") == "/db/doc1")
    assert ev["method"] == "GET" and ev["status"] == 200 and isinstance(ev["conn"], int)
    assert isinstance(ev["bytes"], int) and isinstance(ev["ms"], (int, float))
    assert "secretq" not in json.dumps(ev), "http event path must not carry the query string"


def test_put_with_content_length_body_is_exact(curfew, tls_ctx, fake_sg):
    body = os.urandom(200_000)
    c = HTTPConn(curfew.port, tls_ctx)
    r = c.request("PUT", "/db/doc2", headers=[("Content-Type", "application/octet-stream")], body=body)
    c.close()
    assert r.status == 201
    req = fake_sg.wait_for_request(lambda q: q.path == "/db/doc2")
    assert req.method == "PUT" and req.body == body
    assert json.loads(r.body)["body_len"] == len(body)


def test_put_with_chunked_body_is_exact(curfew, tls_ctx, fake_sg):
    parts = [b'{"a":', os.urandom(9000), b"", b"x" * 70_000, b"}"]
    c = HTTPConn(curfew.port, tls_ctx)
    c.send(f"PUT /db/doc3 HTTP/1.1\r\nHost: localhost:{curfew.port}\r\n"
           "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n".encode()
           + chunked(parts))
    r = c.read_response("PUT")
    c.close()
    assert r.status == 201
    req = fake_sg.wait_for_request(lambda q: q.path == "/db/doc3")
    assert req.body == b"".join(parts)


def test_chunked_response_passes(curfew, tls_ctx):
    c = HTTPConn(curfew.port, tls_ctx)
    r = c.request("GET", "/db/_chunked")
    c.close()
    assert r.status == 200
    assert r.body == b"".join(CHUNKED_PARTS)


def test_keep_alive_reuses_connections(curfew, tls_ctx, fake_sg):
    c = HTTPConn(curfew.port, tls_ctx)
    for i in range(6):
        r = c.request("GET", f"/db/ka{i}")
        assert r.status == 200 and json.loads(r.body)["path"] == f"/db/ka{i}"
    r = c.request("PUT", "/db/ka-put", body=b"abc")
    assert r.status == 201
    c.close()
    assert len([q for q in fake_sg.requests if q.path.startswith("/db/ka")]) == 7
    assert fake_sg.connections_accepted < 7, "curfew opened a new upstream connection per request"


def test_continuous_changes_streams_before_response_ends(curfew, tls_ctx, fake_sg):
    c = HTTPConn(curfew.port, tls_ctx)
    # A streaming feed needs a credential (anonymous: reject is the default); Basic is checked by SG.
    c.send(f"GET /db/_changes?feed=continuous&since=0 HTTP/1.1\r\nHost: localhost:{curfew.port}\r\n"
           "Authorization: Basic YWxpY2U6cGFzc3dvcmQ=\r\n\r\n"
           .encode())
    head = read_head(c.bs)
    assert head.start_line.startswith("HTTP/1.1 200")
    assert head.has_token("Transfer-Encoding", "chunked")
    first = read_chunks_until(c.bs, lambda d: CHANGES_FIRST in d, time.monotonic() + 5)
    assert first.startswith(CHANGES_FIRST)
    assert not fake_sg.changes_release.is_set(), "SG was still holding the response open"
    fake_sg.changes_release.set()
    rest = read_chunks_until(c.bs, lambda d: False, time.monotonic() + 5)
    assert first[len(CHANGES_FIRST):] + rest == CHANGES_REST
    # the connection is still usable afterwards
    r = c.request("GET", "/db/after-changes")
    assert r.status == 200
    c.close()


def test_hop_by_hop_dropped_and_forwarded_headers_replaced(curfew, tls_ctx, fake_sg):
    host = f"LocalHost:{curfew.port}"
    c = HTTPConn(curfew.port, tls_ctx)
    r = c.request("GET", "/db/hop", host=host, headers=[
        ("Connection", "keep-alive, X-Hop-Custom"),
        ("Keep-Alive", "timeout=5"),
        ("Proxy-Connection", "keep-alive"),
        ("X-Hop-Custom", "drop me"),
        ("X-End-To-End", "keep me"),
        ("X-Forwarded-For", "6.6.6.6"),
        ("X-Forwarded-Proto", "http"),
        ("X-Forwarded-Host", "evil.example"),
    ])
    c.close()
    assert r.status == 200
    h = fake_sg.wait_for_request(lambda q: q.path == "/db/hop").head
    for name in ("Keep-Alive", "Proxy-Connection", "X-Hop-Custom"):
        assert h.get_all(name) == [], f"hop-by-hop header {name} reached SG"
    assert not h.has_token("Connection", "X-Hop-Custom")
    assert h.get_all("X-End-To-End") == ["keep me"]
    assert h.get_all("X-Forwarded-For") == ["127.0.0.1"]
    assert h.get_all("X-Forwarded-Proto") == ["https"]
    assert h.get_all("X-Forwarded-Host") == [host]


def test_bad_gateway_when_sg_is_down(start_curfew, tls_ctx, closed_port):
    cf = start_curfew(upstream_url=f"http://127.0.0.1:{closed_port}")
    mark = cf.mark()
    c = HTTPConn(cf.port, tls_ctx)
    r = c.request("GET", "/db/doc")
    c.close()
    assert r.status == 502
    assert json.loads(r.body) == {"error": "bad_gateway"}
    cf.wait_for_event("upstream_error", since=mark)
    assert cf.alive()


def test_test_hook_path_is_forwarded_without_env(curfew, tls_ctx, fake_sg):
    """Without CURFEW_TEST_HOOKS=1 the cut trigger is an ordinary request for SG."""
    c = HTTPConn(curfew.port, tls_ctx)
    r = c.request("POST", "/_curfew/test/cut?all=1", body=b"")
    c.close()
    assert r.status == 200 and json.loads(r.body)["path"] == "/_curfew/test/cut"
    assert fake_sg.wait_for_request(lambda q: q.path == "/_curfew/test/cut").query == "all=1"
    assert curfew.events_named("cut") == []


def _one_shot_upstream(answer: bytes) -> tuple[socket.socket, threading.Thread]:
    """A raw SG stand-in: reads one request head, sends `answer` in a single write, then closes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        conn, _ = listener.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


@pytest.mark.parametrize("client_close", [False, True])
@pytest.mark.parametrize("answer,body", [
    # Head and body in one upstream read: curfew sends them on together (one TLS record), body intact.
    (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}", b"{\"ok\":true}"),
    # An empty body with stray bytes after it in the same read: the head must still reach the client.
    (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\nSTRAY", b""),
])
def test_a_response_head_that_arrives_with_its_body_or_stray_bytes_is_delivered(start_curfew, tls_ctx, answer, body,
                                                                                client_close):
    listener, thread = _one_shot_upstream(answer)
    try:
        cf = start_curfew(upstream_url=f"http://127.0.0.1:{listener.getsockname()[1]}")
        c = HTTPConn(cf.port, tls_ctx)
        r = c.request("GET", "/db/doc", headers=[("Connection", "close")] if client_close else None)
        c.close()
        assert r.status == 200
        assert r.body == body
        assert cf.alive()
    finally:
        thread.join(timeout=5)
        listener.close()
