"""Small helpers shared by the curfew test files."""
from __future__ import annotations

import json
import time

from curfewproc import CurfewProcess
from httpio import BufferedSock, read_head
from wsclient import HTTPConn, WSClient
from wsproto import OP_BINARY


def open_ws(curfew: CurfewProcess, ctx, path: str = "/db/_blipsync", **kw) -> tuple[WSClient, int]:
    """Open a websocket through curfew; returns (client, curfew's conn id from `ws_open`)."""
    ws = WSClient.connect(curfew.port, path, ctx=ctx, **kw)
    local_port = ws.sock.getsockname()[1]
    ev = curfew.wait_for_event("ws_open", lambda e: str(e.get("remote", "")).endswith(f":{local_port}"))
    assert isinstance(ev.get("conn"), int) and not isinstance(ev.get("conn"), bool), ev
    return ws, ev["conn"]


def echo_ok(ws: WSClient, payload: bytes = b"ping-through", timeout: float = 5.0) -> None:
    """One binary round trip through the fake SG's echo."""
    ws.send(OP_BINARY, payload)
    f = ws.recv_frame(timeout)
    assert (f.opcode, f.payload) == (OP_BINARY, payload), f


def trigger_cut(curfew: CurfewProcess, ctx, query: str) -> tuple[int, dict]:
    c = HTTPConn(curfew.port, ctx)
    try:
        r = c.request("POST", f"/_curfew/test/cut?{query}", body=b"")
        return r.status, json.loads(r.body or b"null")
    finally:
        c.close()


def get_ok(curfew: CurfewProcess, ctx, path: str = "/db/") -> None:
    c = HTTPConn(curfew.port, ctx)
    try:
        r = c.request("GET", path)
        assert r.status == 200, (r.status, r.body)
    finally:
        c.close()


def read_chunks_until(bs: BufferedSock, pred, deadline: float) -> bytes:
    """Decode a chunked body chunk by chunk until pred(decoded_so_far) or the last chunk."""
    decoded = bytearray()
    while not pred(bytes(decoded)):
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met before deadline")
        size_line = bs.read_until(b"\r\n", limit=4096)
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            while bs.read_until(b"\r\n", limit=65536) != b"\r\n":  # skip trailers
                pass
            break
        data = bs.read_exact(size + 2)
        assert data[-2:] == b"\r\n"
        decoded += data[:-2]
    return bytes(decoded)


__all__ = ["open_ws", "echo_ok", "trigger_cut", "get_ok", "read_chunks_until", "read_head"]
