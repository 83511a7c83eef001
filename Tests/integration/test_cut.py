"""cut() through the test-only trigger: a close frame 4001 at a frame boundary, a bare TCP close
mid-frame, and nothing crosses in either direction afterwards."""
from __future__ import annotations

import time

from helpers import echo_ok, open_ws, trigger_cut
from wsproto import OP_BINARY, OP_CLOSE

CUT_FIELDS = ("conn", "user", "credential", "credential_id", "reason", "deadline", "lateness_ms",
              "how", "bytes_up", "bytes_down", "age_s", "remote", "path")


def test_cut_at_frame_boundary_sends_4001(curfew_hooks, tls_ctx, fake_sg):
    cf = curfew_hooks
    ws, conn = open_ws(cf, tls_ctx)
    s = fake_sg.wait_for_session()
    echo_ok(ws, b"a" * 1000)
    mark = cf.mark()
    status, body = trigger_cut(cf, tls_ctx, f"conn={conn}&reason=revoked")
    assert (status, body) == (200, {"cut": 1})
    f = ws.expect_close_frame(reply=True)
    assert f.close_code() == 4001
    assert f.close_reason() == "curfew: revoked"

    ev = cf.wait_for_event("cut", lambda e: e.get("conn") == conn, since=mark)
    assert ev["how"] == "close_frame" and ev["reason"] == "revoked"
    missing = [k for k in CUT_FIELDS if k not in ev]
    assert missing == [], f"cut event lacks {missing}"
    assert ev["path"] == "/db/_blipsync" and str(ev["remote"]).startswith("127.0.0.1:")
    assert ev["bytes_up"] >= 1000 and ev["bytes_down"] >= 1000

    # After the cut: SG keeps talking, the client tries to talk. Neither side may see it.
    s.send_frames(5, size=64)
    try:
        ws.send(OP_BINARY, b"late-from-client")
    except OSError:
        pass
    frames, rest = ws.recv_until_closed(timeout=5)
    assert [fr for fr in frames if fr.opcode != OP_CLOSE] == [] and rest == b"", \
        "client saw frames after the cut"
    s.wait_closed(timeout=5)  # curfew must drop the upstream side too
    assert [fr.payload for fr in s.data_frames()] == [b"a" * 1000], "SG saw frames after the cut"
    close_ev = cf.wait_for_event("ws_close", lambda e: e.get("conn") == conn, since=mark)
    assert close_ev["closed_by"] == "curfew" and close_ev["code"] == 4001


def test_cut_mid_frame_is_a_bare_tcp_close(curfew_hooks, tls_ctx, fake_sg):
    cf = curfew_hooks
    ws, conn = open_ws(cf, tls_ctx)
    s = fake_sg.wait_for_session()
    echo_ok(ws)
    s.echo = False
    total = 1 << 20
    assert s.send_partial_frame(total, total // 2)
    # wait until the client holds part of that frame, so curfew is provably mid-frame
    deadline = time.monotonic() + 5
    while len(ws.dec.buf) < 64 * 1024:
        ws._pull(deadline)
    assert ws.dec.next_frame() is None
    mark = cf.mark()
    status, body = trigger_cut(cf, tls_ctx, f"conn={conn}&reason=expired")
    assert (status, body) == (200, {"cut": 1})
    s.send_raw(b"\x5a" * (total // 2))  # SG finishes the frame and sends more after the cut
    s.send_frames(3)
    frames, rest = ws.recv_until_closed(timeout=5)
    assert frames == [], "a frame (e.g. a close frame) arrived although curfew was mid-frame"
    assert rest[:1] == b"\x82" and len(rest) < total, "the client must see only part of the frame"
    ev = cf.wait_for_event("cut", lambda e: e.get("conn") == conn, since=mark)
    assert ev["how"] == "tcp" and ev["reason"] == "expired"
    s.wait_closed(timeout=5)


def test_cut_all(curfew_hooks, tls_ctx, fake_sg):
    cf = curfew_hooks
    clients = [open_ws(cf, tls_ctx) for _ in range(3)]
    for ws, _ in clients:
        echo_ok(ws)
    status, body = trigger_cut(cf, tls_ctx, "all=1&reason=maintenance")
    assert (status, body) == (200, {"cut": 3})
    for ws, conn in clients:
        f = ws.expect_close_frame()
        assert (f.close_code(), f.close_reason()) == (4001, "curfew: maintenance")
        cf.wait_for_event("cut", lambda e, c=conn: e.get("conn") == c)
    assert cf.alive()


def test_cut_only_the_named_connection(curfew_hooks, tls_ctx, fake_sg):
    cf = curfew_hooks
    (a, a_conn), (b, b_conn) = open_ws(cf, tls_ctx), open_ws(cf, tls_ctx)
    assert trigger_cut(cf, tls_ctx, f"conn={a_conn}&reason=revoked") == (200, {"cut": 1})
    assert a.expect_close_frame().close_code() == 4001
    echo_ok(b, b"b survives")
    assert trigger_cut(cf, tls_ctx, "conn=987654321&reason=revoked") == (200, {"cut": 0})
    echo_ok(b, b"still")
    assert [e["conn"] for e in cf.events_named("cut")] == [a_conn]
