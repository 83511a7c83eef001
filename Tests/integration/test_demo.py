"""`curfew demo`: the newcomer's first command. It must serve, enforce, and show its built-in client being cut."""
from __future__ import annotations

import json
import os
import re
import signal
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect as ws_connect

from wsclient import HTTPConn


class Demo:
    """`curfew demo --port 0` with its stdout (log) and stderr (banner, demo client) read by threads."""

    def __init__(self, binary: str, *args: str) -> None:
        self.proc = subprocess.Popen([binary, "demo", "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.out: list[str] = []
        self.err: list[str] = []
        self.cond = threading.Condition()
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    def _pump(self, stream, sink: list[str]) -> None:
        for line in stream:
            with self.cond:
                sink.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, sink: list[str], pattern: str, timeout: float, start: int = 0) -> tuple[int, re.Match]:
        rx = re.compile(pattern)
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for i in range(start, len(sink)):
                    m = rx.search(sink[i])
                    if m:
                        return i, m
                left = deadline - time.time()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"no line matching {pattern!r} in {timeout}s;\nstdout:\n"
                                         + "\n".join(self.out[-30:]) + "\nstderr:\n" + "\n".join(self.err[-30:]))
                self.cond.wait(min(left, 0.2))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


@pytest.fixture
def insecure_ctx() -> ssl.SSLContext:
    # The demo's certificate is made in memory at start; there is no CA to trust.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _text_fields(line: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", line))


def test_demo_client_is_cut_at_its_tokens_expiry_then_refused_then_logs_in_again(curfew_bin):
    demo = Demo(curfew_bin, "--token-lifetime", "2")
    try:
        _, m = demo.wait_line(demo.err, r"curfew serves it on https://127\.0\.0\.1:(\d+)", 10)
        i, _ = demo.wait_line(demo.err, r"demo client: cycle 1: .*jti demo-1", 10)
        i, _ = demo.wait_line(demo.err, r"demo client: replication open \(BLIP_3\+CBMobile_3\)", 10, i)
        i, _ = demo.wait_line(demo.err, r'demo client: curfew cut the replication: close 4001 "curfew: credential_expired"',
                              10, i)
        i, _ = demo.wait_line(demo.err, r"demo client: retry with the same token: HTTP 401", 10, i)
        demo.wait_line(demo.err, r"demo client: cycle 2: .*jti demo-2", 10, i)

        _, cut = demo.wait_line(demo.out, r" info cut .*credential_id=demo-1 ", 5)
        f = _text_fields(cut.string)
        assert f["reason"] == "credential_expired" and f["credential"] == "jwt" and f["user"] == "demo-app", f
        assert f["how"] == "close_frame", f
        assert 0 <= int(f["lateness_ms"]) < 1000, f
        _, rej = demo.wait_line(demo.out, r" info reject .*path=/db/_blipsync", 5)
        assert "reason=expired" in rej.string, rej.string
        # no token value anywhere in the log: only the jti names it
        assert not any(re.search(r"eyJ[\w-]+\.eyJ", line) for line in demo.out + demo.err)
    finally:
        code = demo.stop()
    assert code == 0, "\n".join(demo.err[-20:])


def test_demo_serves_rest_basic_websockets_and_its_admin_api(curfew_bin, insecure_ctx):
    demo = Demo(curfew_bin, "--no-client")
    try:
        _, m = demo.wait_line(demo.err, r"curfew serves it on https://127\.0\.0\.1:(\d+)", 10)
        port = int(m.group(1))
        _, adm = demo.wait_line(demo.err, r'Bearer \$\(cat (\S+)\)" http://127\.0\.0\.1:(\d+)/connections', 5)
        token_file, admin_port = Path(adm.group(1)), int(adm.group(2))
        assert not any("demo client:" in line for line in demo.err), "--no-client still started the client"

        c = HTTPConn(port, insecure_ctx)
        try:
            r = c.request("GET", "/db/")
        finally:
            c.close()
        assert r.status == 200, (r.status, r.body)
        assert json.loads(r.body)["db_name"] == "db"

        # A websocket without a credential is refused; Basic (as `curl -u` in the banner) replicates.
        with pytest.raises(Exception) as refused:
            ws_connect(f"wss://127.0.0.1:{port}/db/_blipsync", ssl=insecure_ctx,
                       subprotocols=["BLIP_3+CBMobile_3"], open_timeout=5)
        assert "401" in str(refused.value)
        with ws_connect(f"wss://127.0.0.1:{port}/db/_blipsync", ssl=insecure_ctx,
                        subprotocols=["BLIP_3+CBMobile_4", "BLIP_3+CBMobile_3"],
                        additional_headers={"Authorization": "Basic ZGVtbzphbnk="}, open_timeout=5) as ws:
            assert ws.subprotocol == "BLIP_3+CBMobile_4"
            ws.send(b"a revision")
            assert ws.recv(timeout=5) == b"a revision"

            token = token_file.read_text().strip()
            c = HTTPConn(admin_port, None)
            try:
                r = c.request("GET", "/connections", headers=[("Authorization", f"Bearer {token}")])
            finally:
                c.close()
            assert r.status == 200, (r.status, r.body)
            conns = json.loads(r.body)["connections"]
            assert [(x["user"], x["credential"]) for x in conns] == [("demo", "basic")], conns
    finally:
        code = demo.stop()
    assert code == 0
    assert not token_file.exists() and not token_file.parent.exists(), "the demo left its secrets behind"
