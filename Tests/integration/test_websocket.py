"""Websocket splicing through curfew: the upgrade reaches SG verbatim, frames pass untouched,
client protocol errors are closed with 1002, upstream resets become TCP closes."""
from __future__ import annotations

import base64
import os

import pytest
from curfewproc import TS_RE
from helpers import echo_ok, get_ok, open_ws
from httpio import parse_head
from wsclient import BLIP_OFFER, WSClient
from wsproto import OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT, encode_header

PASSWORD = "s3cret-pw-7f3a"
BASIC = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
COOKIE_VALUE = "c0ffee5e55i0nvalue9d1"


def test_upgrade_reaches_sg_verbatim_and_101_comes_back(curfew, tls_ctx, fake_sg):
    ext = "permessage-deflate; client_max_window_bits"
    ws, conn = open_ws(curfew, tls_ctx, "/db/_blipsync?client=cbl2&x=1%2F2",
                       headers=[("Authorization", f"Basic {BASIC}"),
                                ("Cookie", f"SyncGatewaySession={COOKIE_VALUE}; other=1"),
                                ("Sec-WebSocket-Extensions", ext),
                                ("X-Custom", "kept as is")])
    s = fake_sg.wait_for_session()
    h = s.request.head
    assert s.request.target == "/db/_blipsync?client=cbl2&x=1%2F2"
    assert h.get_all("Authorization") == [f"Basic {BASIC}"]
    assert h.get_all("Cookie") == [f"SyncGatewaySession={COOKIE_VALUE}; other=1"]
    assert h.get_all("Sec-WebSocket-Protocol") == [BLIP_OFFER]
    assert h.get_all("Sec-WebSocket-Key") == [ws.key]
    assert h.get_all("Sec-WebSocket-Version") == ["13"]
    assert h.get_all("Sec-WebSocket-Extensions") == [ext]
    assert h.get_all("X-Custom") == ["kept as is"]
    assert h.has_token("Upgrade", "websocket") and h.has_token("Connection", "upgrade")

    # The 101 as SG sent it: status, chosen subprotocol, accept key (checked in connect), headers.
    sg_101 = parse_head(s.response_head)
    got = ws.response.head
    assert got.start_line.startswith("HTTP/1.1 101")
    assert got.get_all("Sec-WebSocket-Protocol") == ["BLIP_3+CBMobile_4"]
    assert got.get_all("Sec-WebSocket-Accept") == sg_101.get_all("Sec-WebSocket-Accept")
    assert got.get_all("X-Correlation-ID") == sg_101.get_all("X-Correlation-ID")
    assert got.has_token("Upgrade", "websocket") and got.has_token("Connection", "upgrade")

    echo_ok(ws)
    ev = curfew.wait_for_event("ws_open", lambda e: e.get("conn") == conn)
    assert ev["path"] == "/db/_blipsync"
    assert ev["subprotocol"] == "BLIP_3+CBMobile_4"
    assert str(ev["remote"]).startswith("127.0.0.1:")
    assert "user" in ev
    ws.close()
    curfew.wait_for_event("ws_close", lambda e: e.get("conn") == conn)
    curfew.assert_no_secrets(PASSWORD, BASIC, COOKIE_VALUE, "SyncGatewaySession_abc123")


def test_conn_ids_are_unique(curfew, tls_ctx):
    ids = set()
    clients = []
    for _ in range(4):
        ws, conn = open_ws(curfew, tls_ctx)
        clients.append(ws)
        ids.add(conn)
    assert len(ids) == 4
    for ws in clients:
        echo_ok(ws)
        ws.close()


@pytest.mark.parametrize("size", [1, 125, 126, 65535, 65536, 4 * 1024 * 1024])
def test_binary_frame_sizes_intact_both_ways(curfew, tls_ctx, fake_sg, size):
    ws, _ = open_ws(curfew, tls_ctx)
    s = fake_sg.wait_for_session()
    payload = os.urandom(size)
    ws.send(OP_BINARY, payload)
    at_sg = s.wait_frames(1, timeout=20)[0]
    assert (at_sg.opcode, at_sg.fin, len(at_sg.payload)) == (OP_BINARY, True, size)
    assert at_sg.payload == payload and at_sg.masked
    echoed = ws.recv_frame(timeout=20)           # SG -> client direction (SG echoes)
    assert (echoed.opcode, echoed.fin, echoed.masked) == (OP_BINARY, True, False)
    assert echoed.payload == payload
    ws.close()


def test_fragmented_messages_pass_both_ways(curfew, tls_ctx, fake_sg):
    ws, _ = open_ws(curfew, tls_ctx)
    s = fake_sg.wait_for_session()
    sent = [(OP_TEXT, False, b"frag-1 "), (OP_PING, True, b"mid"), (OP_CONT, False, b"frag-2 "),
            (OP_CONT, True, b"end")]
    for op, fin, data in sent:
        ws.send(op, data, fin=fin)
    at_sg = s.wait_frames(4, data_only=False)
    # A splicer forwards frames one for one: same opcodes, FIN bits and payloads, same order.
    assert [(f.opcode, f.fin, f.payload) for f in at_sg[:4]] == sent
    back = [ws.recv_frame() for _ in range(4)]
    assert [(f.opcode, f.fin, f.payload) for f in back] == [
        (OP_TEXT, False, b"frag-1 "), (OP_PONG, True, b"mid"), (OP_CONT, False, b"frag-2 "),
        (OP_CONT, True, b"end")]
    # SG-originated fragmented binary message
    s.echo = False
    parts = [os.urandom(1000), os.urandom(70000), os.urandom(3)]
    assert s.send_frame(OP_BINARY, parts[0], fin=False)
    assert s.send_frame(OP_CONT, parts[1], fin=False)
    assert s.send_frame(OP_CONT, parts[2], fin=True)
    got = [ws.recv_frame() for _ in range(3)]
    assert [(f.opcode, f.fin, f.payload) for f in got] == [
        (OP_BINARY, False, parts[0]), (OP_CONT, False, parts[1]), (OP_CONT, True, parts[2])]
    ws.close()


def test_curfew_does_not_answer_pings_itself(curfew, tls_ctx, fake_sg):
    fake_sg.ws_auto_pong = False       # SG stays silent: any pong would have come from curfew
    ws, _ = open_ws(curfew, tls_ctx)
    s = fake_sg.wait_for_session()
    ws.send(OP_PING, b"p1")
    ws.send(OP_BINARY, b"marker")
    at_sg = s.wait_frames(2, data_only=False)
    assert [(f.opcode, f.payload) for f in at_sg[:2]] == [(OP_PING, b"p1"), (OP_BINARY, b"marker")]
    f = ws.recv_frame()
    assert (f.opcode, f.payload) == (OP_BINARY, b"marker"), "curfew answered a ping itself"
    # now SG answers by hand: the pong must pass through
    assert s.send_frame(OP_PONG, b"p1")
    ws.expect_pong(b"p1")
    ws.close()


def test_ping_pong_pass_through_both_directions(curfew, tls_ctx, fake_sg):
    ws, _ = open_ws(curfew, tls_ctx)
    s = fake_sg.wait_for_session()
    ws.send(OP_PING, b"client-ping")
    ws.expect_pong(b"client-ping")
    assert s.send_frame(OP_PING, b"sg-ping")
    f = ws.recv_frame()
    assert (f.opcode, f.payload) == (OP_PING, b"sg-ping")
    ws.send(OP_PONG, b"sg-ping")
    pongs = s.wait_frames(2, data_only=False)
    assert [(f.opcode, f.payload) for f in pongs[:2]] == [(OP_PING, b"client-ping"), (OP_PONG, b"sg-ping")]
    ws.close()


def test_close_handshake_passes_through(curfew, tls_ctx, fake_sg):
    ws, conn = open_ws(curfew, tls_ctx)
    s = fake_sg.wait_for_session()
    echo_ok(ws, b"x" * 300)
    ws.send_close(1000, "bye")
    f = ws.expect_close_frame(reply=False)
    assert f.close_code() == 1000
    frames, rest = ws.recv_until_closed()
    assert frames == [] and rest == b""
    at_sg = [f for f in s.received if f.opcode == OP_CLOSE]
    assert at_sg and at_sg[0].close_code() == 1000 and at_sg[0].close_reason() == "bye"
    ev = curfew.wait_for_event("ws_close", lambda e: e.get("conn") == conn)
    assert ev["closed_by"] == "client"
    assert ev["code"] == 1000
    assert ev["bytes_up"] >= 300 and ev["bytes_down"] >= 300
    assert isinstance(ev["duration_ms"], (int, float)) and ev["duration_ms"] >= 0


def test_log_lines_are_well_formed_json(curfew, tls_ctx):
    ws, conn = open_ws(curfew, tls_ctx)
    echo_ok(ws)
    ws.send_close(1000)
    ws.expect_close_frame(reply=False)
    curfew.wait_for_event("ws_close", lambda e: e.get("conn") == conn)
    get_ok(curfew, tls_ctx)
    curfew.wait_for_event("http")
    assert curfew.bad_lines == [], f"non-JSON stdout lines: {curfew.bad_lines[:3]}"
    for e in curfew.events:
        assert TS_RE.match(str(e.get("ts"))), e
        assert e.get("level") in ("debug", "info", "notice", "warn", "warning", "error"), e
        assert isinstance(e.get("event"), str) and e["event"], e


# -- client protocol errors ------------------------------------------------------------------------

def _unmasked() -> bytes:
    return encode_header(OP_BINARY, 4) + b"evil"


def _reserved_opcode() -> bytes:
    return encode_header(0x3, 4, mask_key=b"\x01\x02\x03\x04") + bytes(b ^ k for b, k in zip(b"evil", b"\x01\x02\x03\x04"))


def _rsv_bits() -> bytes:
    return encode_header(OP_BINARY, 4, rsv=4, mask_key=b"\0\0\0\0") + b"evil"


def _huge_length() -> bytes:
    return bytes([0x82, 0x80 | 127]) + bytes([0x80, 0, 0, 0, 0, 0, 0, 4]) + b"\0\0\0\0" + b"evil"


@pytest.mark.parametrize("bad", [_unmasked, _reserved_opcode, _rsv_bits, _huge_length],
                         ids=["unmasked", "reserved-opcode", "rsv-bits", "64bit-top-bit"])
def test_client_protocol_error_closes_with_1002(curfew, tls_ctx, fake_sg, bad):
    good, _ = open_ws(curfew, tls_ctx)
    good_sg = fake_sg.wait_for_session(0)
    evil, evil_conn = open_ws(curfew, tls_ctx)
    evil_sg = fake_sg.wait_for_session(1)
    echo_ok(evil, b"before")
    evil.send_raw(bad())
    f = evil.expect_close_frame(reply=False)
    assert f.close_code() == 1002
    frames, _ = evil.recv_until_closed(timeout=5)
    assert all(fr.opcode == OP_CLOSE for fr in frames)
    assert [fr.payload for fr in evil_sg.data_frames()] == [b"before"], "malformed frame reached SG"
    curfew.wait_for_event("ws_close", lambda e: e.get("conn") == evil_conn)
    # the other connection and the process are unaffected
    echo_ok(good, b"still fine")
    assert [fr.payload for fr in good_sg.data_frames()] == [b"still fine"]
    assert curfew.alive()
    good.close()


def test_upstream_reset_closes_client_without_close_frame(curfew, tls_ctx, fake_sg):
    ws, conn = open_ws(curfew, tls_ctx)
    s = fake_sg.wait_for_session()
    echo_ok(ws)
    s.reset()
    frames, rest = ws.recv_until_closed(timeout=5)
    assert frames == [] and rest == b"", "expected a bare TCP close, not a close frame"
    ev = curfew.wait_for_event("ws_close", lambda e: e.get("conn") == conn)
    assert ev["closed_by"] == "upstream"
    assert curfew.alive()


def test_upstream_close_tcp_closes_client(curfew, tls_ctx, fake_sg):
    ws, conn = open_ws(curfew, tls_ctx)
    s = fake_sg.wait_for_session()
    echo_ok(ws)
    s.close_tcp()
    frames, rest = ws.recv_until_closed(timeout=5)
    assert frames == [] and rest == b""
    assert curfew.wait_for_event("ws_close", lambda e: e.get("conn") == conn)["closed_by"] == "upstream"
