"""Interop with an independent websocket implementation (the `websockets` library) over wss."""
from __future__ import annotations

import random

from websockets.sync.client import connect
from wsproto import OP_BINARY, OP_CLOSE


def _sizes(rng: random.Random, n: int) -> list[int]:
    out = []
    for _ in range(n):
        r = rng.random()
        out.append(rng.randint(1, 200) if r < 0.6 else
                   rng.randint(200, 20_000) if r < 0.9 else rng.randint(60_000, 300_000))
    return out


def test_websockets_library_replication_style_exchange(curfew, tls_ctx, fake_sg):
    rng = random.Random(20261203)
    uri = f"wss://localhost:{curfew.port}/db/_blipsync?client=cbl2"
    with connect(uri, ssl=tls_ctx, subprotocols=["BLIP_3+CBMobile_4", "BLIP_3+CBMobile_3"],
                 additional_headers={"Authorization": "Basic YWxpY2U6cGFzc3dvcmQ="},
                 open_timeout=5, close_timeout=5, max_size=None) as ws:
        assert ws.subprotocol == "BLIP_3+CBMobile_4"
        s = fake_sg.wait_for_session()
        assert s.request.head.get("Sec-WebSocket-Protocol") == "BLIP_3+CBMobile_4, BLIP_3+CBMobile_3"

        # client -> SG -> client (echo), pipelined 16 deep, order and content checked
        msgs = [rng.randbytes(n) for n in _sizes(rng, 400)]
        window, sent, got = 16, 0, 0
        while got < len(msgs):
            while sent < len(msgs) and sent - got < window:
                ws.send(msgs[sent])
                sent += 1
            reply = ws.recv(timeout=10)
            assert reply == msgs[got], f"message {got} differs"
            got += 1
        assert [f.payload for f in s.data_frames()] == msgs

        # SG -> client: SG-originated messages arrive complete and in order
        s.echo = False
        pushed = [rng.randbytes(n) for n in _sizes(rng, 200)]
        for m in pushed:
            assert s.send_frame(OP_BINARY, m)
        for i, m in enumerate(pushed):
            assert ws.recv(timeout=10) == m, f"SG message {i} differs"

    s.wait_closed(timeout=5)
    closes = [f for f in s.received if f.opcode == OP_CLOSE]
    assert closes and closes[0].close_code() == 1000
