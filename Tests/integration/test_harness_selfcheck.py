"""The harness checked against itself (no curfew): fake SG <-> raw client, plain TCP and TLS.

If these fail, the curfew tests' verdicts mean nothing."""
from __future__ import annotations

import json
import os
import socket
import ssl
import threading

import pytest
from fakesg import CHANGES_FIRST, CHANGES_REST, CHUNKED_PARTS
from httpio import BufferedSock, read_head, read_response
from wsclient import BLIP_OFFER, HTTPConn, WSClient, WSClosed, chunked, client_tls_context
from wsproto import (OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_TEXT, FrameDecoder, accept_key,
                     encode_frame)

pytestmark = pytest.mark.selfcheck


def test_frame_codec_roundtrip_all_length_forms():
    for size in (0, 1, 125, 126, 65535, 65536, 300_000):
        payload = os.urandom(size)
        for mask in (False, True):
            dec = FrameDecoder()
            wire = encode_frame(OP_BINARY, payload, mask=mask, fin=False, rsv=5)
            dec.feed(wire[:3])
            dec.feed(wire[3:])
            f = dec.next_frame()
            assert f is not None and f.payload == payload and f.masked == mask
            assert (f.fin, f.rsv, f.opcode) == (False, 5, OP_BINARY)
            assert dec.next_frame() is None


def test_accept_key_rfc6455_example():
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_rest_get_put_and_keepalive(fake_sg):
    c = HTTPConn(fake_sg.port)
    r = c.request("GET", "/db/doc1?rev=1-a", headers=[("X-Test", "v")])
    assert r.status == 200 and json.loads(r.body)["path"] == "/db/doc1"
    body = os.urandom(5000)
    r = c.request("PUT", "/db/doc2", body=body)
    assert r.status == 201
    c.send(b"PUT /db/doc3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           + chunked([b"abc", b"defgh", b"i" * 300]))
    assert c.read_response().status == 201
    c.close()
    reqs = fake_sg.requests
    assert [r.path for r in reqs] == ["/db/doc1", "/db/doc2", "/db/doc3"]
    assert reqs[0].query == "rev=1-a" and reqs[0].head.get("X-Test") == "v"
    assert reqs[1].body == body and not reqs[1].chunked
    assert reqs[2].chunked and reqs[2].body == b"abcdefgh" + b"i" * 300
    assert reqs[2].raw_body == chunked([b"abc", b"defgh", b"i" * 300])
    assert fake_sg.connections_accepted == 1
    assert reqs[0].raw_head.startswith(b"GET /db/doc1?rev=1-a HTTP/1.1\r\n")


def test_chunked_response(fake_sg):
    c = HTTPConn(fake_sg.port)
    r = c.request("GET", "/db/_chunked")
    assert r.status == 200 and r.head.has_token("Transfer-Encoding", "chunked")
    assert r.body == b"".join(CHUNKED_PARTS)


def test_continuous_changes_holds_until_released(fake_sg):
    c = HTTPConn(fake_sg.port)
    c.send(b"GET /db/_changes?feed=continuous HTTP/1.1\r\nHost: x\r\n\r\n")
    head = read_head(c.bs)
    assert head.start_line.startswith("HTTP/1.1 200")
    first = c.bs.read_until(b"\n", limit=4096)  # chunk-size line
    data = c.bs.read_exact(int(first.strip(), 16) + 2)
    assert data[:-2] == CHANGES_FIRST
    assert not fake_sg.changes_release.is_set()
    fake_sg.changes_release.set()
    rest = c.bs.read_until(b"0\r\n\r\n")
    assert CHANGES_REST in rest


def test_status_route(fake_sg):
    c = HTTPConn(fake_sg.port)
    assert c.request("GET", "/_fakesg/status/503").status == 503


def test_websocket_handshake_picks_highest_blip(fake_sg):
    ws = WSClient.connect(fake_sg.port, "/db/_blipsync?client=cbl2",
                          protocols="BLIP_3+CBMobile_3," + BLIP_OFFER)
    assert ws.response.head.get("Sec-WebSocket-Protocol") == "BLIP_3+CBMobile_4"
    s = fake_sg.wait_for_session()
    assert s.subprotocol == "BLIP_3+CBMobile_4"
    assert s.request.head.get("Sec-WebSocket-Protocol") == "BLIP_3+CBMobile_3," + BLIP_OFFER
    assert s.request.query == "client=cbl2"
    assert ws.response.head.get("Sec-WebSocket-Accept") == accept_key(ws.key)


@pytest.mark.parametrize("size", [1, 125, 126, 65535, 65536, 4 * 1024 * 1024])
def test_websocket_echo_sizes(fake_sg, size):
    ws = WSClient.connect(fake_sg.port)
    payload = os.urandom(size)
    ws.send(OP_BINARY, payload)
    f = ws.recv_frame(timeout=10)
    assert f.opcode == OP_BINARY and f.payload == payload and not f.masked
    s = fake_sg.wait_for_session()
    assert s.data_frames()[0].payload == payload and s.data_frames()[0].masked


def test_websocket_fragments_ping_and_close(fake_sg):
    ws = WSClient.connect(fake_sg.port)
    ws.send(OP_TEXT, b"ab", fin=False)
    ws.send(OP_PING, b"mid")
    ws.send(OP_CONT, b"cd", fin=False)
    ws.send(OP_CONT, b"ef", fin=True)
    got = [ws.recv_frame() for _ in range(4)]
    assert [(f.opcode, f.fin, f.payload) for f in got] == [
        (OP_TEXT, False, b"ab"), (0xA, True, b"mid"), (OP_CONT, False, b"cd"), (OP_CONT, True, b"ef")]
    ws.send_close(1000, "bye")
    f = ws.expect_close_frame(reply=False)
    assert f.close_code() == 1000 and f.close_reason() == "bye"
    frames, rest = ws.recv_until_closed()
    assert frames == [] and rest == b""


def test_websocket_no_auto_pong(fake_sg):
    fake_sg.ws_auto_pong = False
    ws = WSClient.connect(fake_sg.port)
    ws.send(OP_PING, b"p")
    ws.send(OP_BINARY, b"marker")
    f = ws.recv_frame()
    assert f.payload == b"marker"


def test_websocket_scripted_sends_partial_and_reset(fake_sg):
    ws = WSClient.connect(fake_sg.port)
    s = fake_sg.wait_for_session()
    assert s.send_frames(3, size=10)
    assert [ws.recv_frame().payload for _ in range(3)] == [bytes([i]) * 10 for i in range(3)]
    assert s.send_partial_frame(1 << 20, 1 << 19)
    s.reset()
    frames, partial = ws.recv_until_closed()
    assert frames == [] and 0 < len(partial) < (1 << 20)
    s.wait_closed()


def test_websocket_reset_sends_rst(fake_sg):
    ws = WSClient.connect(fake_sg.port)
    s = fake_sg.wait_for_session()
    s.reset()
    with pytest.raises(WSClosed):
        ws.recv_frame()


def test_tls_certs_chain_verifies(certs):
    """The generated server cert verifies against the CA for both localhost and 127.0.0.1."""
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(certs.server_cert, certs.server_key)
    sctx.set_alpn_protocols(["http/1.1"])
    lsock = socket.create_server(("127.0.0.1", 0))
    lsock.settimeout(5)
    port = lsock.getsockname()[1]

    def serve():
        for _ in range(2):
            conn, _ = lsock.accept()
            conn.settimeout(5)
            try:
                with sctx.wrap_socket(conn, server_side=True) as tconn:
                    tconn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
            except (ssl.SSLError, OSError):
                pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    for name in ("localhost", "127.0.0.1"):
        ctx = client_tls_context(str(certs.ca_cert), alpn=["h2", "http/1.1"])
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        with ctx.wrap_socket(raw, server_hostname=name) as s:
            assert s.selected_alpn_protocol() == "http/1.1"
            assert read_response(BufferedSock(s)).status == 204
    t.join(5)
    lsock.close()


def test_websockets_library_against_fake_sg(fake_sg):
    from websockets.sync.client import connect
    with connect(f"ws://127.0.0.1:{fake_sg.port}/db/_blipsync",
                 subprotocols=["BLIP_3+CBMobile_4", "BLIP_3+CBMobile_3"], open_timeout=5,
                 close_timeout=5, max_size=None) as ws:
        assert ws.subprotocol == "BLIP_3+CBMobile_4"
        ws.send(b"\x01\x02")
        assert ws.recv(timeout=5) == b"\x01\x02"
