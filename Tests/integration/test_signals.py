"""SIGHUP reloads (broken and valid), SIGTERM graceful shutdown: in-flight REST finishes, websockets get 4001."""
from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time

import pytest
from curfewproc import base_config, merge
from helpers import echo_ok, get_ok, open_ws
from httpio import PeerClosed
from wsclient import HTTPConn


def test_sighup_with_broken_config_keeps_serving(curfew, tls_ctx, fake_sg):
    ws, _ = open_ws(curfew, tls_ctx)
    echo_ok(ws)
    good = curfew.config_path.read_text()
    curfew.write_config('{\n  workers: 2,\n  listeners: [ oops\n')
    mark = curfew.mark()
    curfew.signal(signal.SIGHUP)
    ev = curfew.wait_for_event("reload", since=mark)
    assert ev["ok"] is False
    assert isinstance(ev.get("error"), str) and ev["error"]
    assert curfew.alive()
    get_ok(curfew, tls_ctx, "/db/after-bad-reload")
    echo_ok(ws, b"survived bad reload")
    curfew.write_config(good)


def test_sighup_with_valid_changed_config_reloads(curfew, tls_ctx, fake_sg):
    ws, _ = open_ws(curfew, tls_ctx)
    echo_ok(ws)
    cfg = merge(base_config(fake_sg.url), {"limits": {"header_timeout": "3s"},
                                           "enforcement": {"close_grace": "2s"}})
    curfew.write_config(cfg)
    mark = curfew.mark()
    curfew.signal(signal.SIGHUP)
    ev = curfew.wait_for_event("reload", since=mark)
    assert ev["ok"] is True, ev
    echo_ok(ws, b"survived reload")
    get_ok(curfew, tls_ctx, "/db/after-reload")
    ws2, _ = open_ws(curfew, tls_ctx)
    echo_ok(ws2)


def test_sigterm_closes_websockets_with_4001_and_exits_0(curfew, tls_ctx, fake_sg):
    clients = [open_ws(curfew, tls_ctx)[0] for _ in range(2)]
    for ws in clients:
        echo_ok(ws)
    mark = curfew.mark()
    curfew.signal(signal.SIGTERM)
    for ws in clients:
        f = ws.expect_close_frame(timeout=5, reply=True)
        assert (f.close_code(), f.close_reason()) == (4001, "curfew: shutdown")
    # stopped accepting: a new client must not be served any more
    try:
        c = HTTPConn(curfew.port, tls_ctx, timeout=2)
        try:
            r = c.request("GET", "/db/after-term")
            assert r.status != 200, "curfew served a new request after SIGTERM"
        finally:
            c.close()
    except (OSError, PeerClosed):
        pass
    try:
        rc = curfew.wait_exit(timeout=3 + 3)  # shutdown_grace + margin
    except subprocess.TimeoutExpired:
        pytest.fail("curfew did not exit within shutdown_grace + 3 s")
    assert rc == 0
    assert curfew.events_named("shutdown", since=mark), "no shutdown event"
    assert fake_sg.requests_to("/db/after-term") == []


def test_sigterm_idle_exits_0(curfew):
    curfew.signal(signal.SIGTERM)
    assert curfew.wait_exit(timeout=6) == 0
    assert curfew.events_named("shutdown")


class _SlowSG:
    """An upstream that answers each request `delay` seconds after it arrived (no keep-alive)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.arrived = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            with sock:
                sock.settimeout(10)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.arrived.set()
                time.sleep(self.delay)
                body = b'{"slow":true}'
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


def test_sigterm_lets_an_in_flight_rest_request_finish(start_curfew, tls_ctx):
    slow = _SlowSG(delay=1.5)
    try:
        cf = start_curfew(upstream_url=f"http://127.0.0.1:{slow.port}")
        c = HTTPConn(cf.port, tls_ctx, timeout=10)
        try:
            c.send(b"GET /db/slow HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert slow.arrived.wait(5), "the request never reached the upstream"
            cf.signal(signal.SIGTERM)
            r = c.read_response()
        finally:
            c.close()
        assert r.status == 200 and r.body == b'{"slow":true}', (r.status, r.body)
        assert cf.wait_exit(timeout=8) == 0
    finally:
        slow.listener.close()
