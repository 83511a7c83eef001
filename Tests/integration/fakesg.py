"""A fake Couchbase Sync Gateway: threaded, plain HTTP/1.1 with keep-alive, and a scriptable
websocket endpoint at `/{db}/_blipsync`.

It records every request (raw head, decoded body, raw body, which TCP connection it came on) and
counts accepted TCP connections, so tests can check exactly what a proxy forwarded.

Routes
  GET  /{db}/_blipsync (Upgrade)   -> 101, picks the highest offered BLIP_3+CBMobile_N; echo mode
  GET  /{db}/_changes?feed=continuous -> chunked; first line at once, the rest after `changes_release`
  GET  /{db}/_chunked              -> chunked response made of CHUNKED_PARTS
  ANY  /_fakesg/status/NNN         -> status NNN with a small JSON body
  anything else                    -> 200 (201 for PUT) JSON describing the request, Content-Length

A second listener (`FakeSG.admin`, URL `FakeSG.admin_url`) plays SG's admin API for session checks:
  GET /{db}/_session/{id}          -> 200 {"ok":true,"userCtx":{...}} while the session exists, else 404
  (every request needs Basic ADMIN_USER:ADMIN_PASSWORD, else 401; `down=True` resets every connection)
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import select
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from httpio import BufferedSock, Head, PeerClosed, read_chunked, read_head
from wsproto import (OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, Frame, FrameDecoder, accept_key,
                     close_payload, encode_frame, encode_header)

CHUNKED_PARTS = [b"alpha-", b"bravo-" * 700, b"charlie\n", b"d" * 17]
CHANGES_FIRST = b'{"seq":1,"id":"doc1","changes":[{"rev":"1-a"}]}\n'
CHANGES_REST = b'{"seq":2,"id":"doc2","changes":[{"rev":"1-b"}]}\n{"last_seq":"2"}\n'
BLIP_RE = re.compile(r"^BLIP_3\+CBMobile_(\d+)$")
READ_TIMEOUT = 30.0
ADMIN_USER = "sgadmin"
ADMIN_PASSWORD = "fake-admin-pw-4c1d9e"
# The session every existing test offers through wsclient.BLIP_OFFER (`SyncGatewaySession_abc123`): seeded so
# those tests stay valid once curfew checks sessions.
DEFAULT_SESSION_ID = "abc123"
DEFAULT_SESSION_USER = "blip-user"


def wait_until(pred, timeout: float, what: str, cond: threading.Condition):
    deadline = time.monotonic() + timeout
    with cond:
        while True:
            result = pred()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"fake SG: timed out waiting for {what}")
            cond.wait(min(remaining, 0.2))


@dataclass
class RecordedRequest:
    conn_index: int
    method: str
    target: str
    path: str
    query: str
    head: Head
    body: bytes
    raw_body: bytes
    chunked: bool

    @property
    def raw_head(self) -> bytes:
        return self.head.raw


@dataclass
class WSSession:
    """One upgraded websocket as seen by SG. Tests drive it through the send_* methods."""

    sg: "FakeSG"
    request: RecordedRequest
    sock: socket.socket
    subprotocol: str | None
    response_head: bytes
    echo: bool = True
    auto_pong: bool = True
    received: list[Frame] = field(default_factory=list)
    closed: threading.Event = field(default_factory=threading.Event)
    close_sent: bool = False
    send_lock: threading.Lock = field(default_factory=threading.Lock)

    # scripted sends (return False when the socket is already gone) -------------------------
    def send_raw(self, data: bytes) -> bool:
        with self.send_lock:
            try:
                self.sock.sendall(data)
                return True
            except OSError:
                return False

    def send_frame(self, opcode: int, payload: bytes = b"", *, fin: bool = True) -> bool:
        return self.send_raw(encode_frame(opcode, payload, fin=fin))

    def send_frames(self, n: int, size: int = 32, opcode: int = OP_BINARY) -> bool:
        return all(self.send_frame(opcode, bytes([i % 256]) * size) for i in range(n))

    def send_partial_frame(self, total: int, sent: int, fill: int = 0x5A) -> bool:
        """Header of a `total`-byte binary frame plus only `sent` payload bytes, then pause."""
        return self.send_raw(encode_header(OP_BINARY, total) + bytes([fill]) * sent)

    def send_close(self, code: int | None = 1000, reason: str = "") -> bool:
        self.close_sent = True
        return self.send_frame(OP_CLOSE, close_payload(code, reason))

    def reset(self) -> None:
        """Abort with a TCP RST (SO_LINGER 0)."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self._close()

    def close_tcp(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._close()

    def _close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed.set()
        with self.sg.cond:
            self.sg.cond.notify_all()

    # observation ----------------------------------------------------------------------------
    def data_frames(self) -> list[Frame]:
        with self.sg.cond:
            return [f for f in self.received if f.opcode < 0x8]

    def wait_frames(self, n: int, timeout: float = 10.0, *, data_only: bool = True) -> list[Frame]:
        def got():
            frames = [f for f in self.received if f.opcode < 0x8] if data_only else list(self.received)
            return frames if len(frames) >= n else None
        return wait_until(got, timeout, f"{n} frames at SG", self.sg.cond)

    def wait_closed(self, timeout: float = 10.0) -> None:
        if not self.closed.wait(timeout):
            raise TimeoutError("fake SG: websocket not closed")

    # the reader loop (runs on the connection thread) -----------------------------------------
    def run(self, bs: BufferedSock) -> None:
        dec = FrameDecoder()
        dec.feed(bytes(bs.buf))
        bs.buf.clear()
        try:
            while True:
                f = dec.next_frame()
                if f is None:
                    # Poll instead of blocking in recv(): Linux defers the real close (and the RST
                    # of reset()) while another thread sits in recv() on the same socket.
                    if self.closed.is_set() or self.sg._stopping.is_set() or self.sock.fileno() < 0:
                        return
                    readable, _, _ = select.select([self.sock], [], [], 0.1)
                    if readable:
                        dec.feed(bs.recv_some())
                    continue
                with self.sg.cond:
                    self.received.append(f)
                    self.sg.cond.notify_all()
                if f.opcode == OP_PING and self.auto_pong:
                    self.send_frame(OP_PONG, f.payload)
                elif f.opcode == OP_CLOSE:
                    if not self.close_sent:
                        self.send_close_echo(f)
                    self.close_tcp()
                    return
                elif f.opcode < 0x8 and self.echo:
                    self.send_frame(f.opcode, f.payload, fin=f.fin)
        except (PeerClosed, OSError, ValueError):  # ValueError: select() on a just-closed socket
            pass
        finally:
            self._close()

    def send_close_echo(self, f: Frame) -> None:
        self.close_sent = True
        self.send_frame(OP_CLOSE, f.payload)


def _reset_close(sock: socket.socket) -> None:
    """Abort with a TCP RST (SO_LINGER 0): the peer sees 'connection reset', not a clean EOF."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class FakeSGAdmin:
    """SG's admin API, only as much as curfew uses: session lookups. Sessions live in memory and are
    created/deleted by the tests directly (never through curfew)."""

    def __init__(self, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.listener.settimeout(0.1)
        self.port: int = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.username = username
        self.password = password
        self.expected_auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.cond = threading.Condition()
        self.sessions: dict[str, str] = {DEFAULT_SESSION_ID: DEFAULT_SESSION_USER}
        self.requests: list[RecordedRequest] = []
        self.unauthorized = 0
        self.refused = 0          # connections/requests dropped while `down`
        self.down = False
        self._stopping = threading.Event()
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._accept_thread = threading.Thread(target=self._accept_loop, name="fakesg-admin-accept",
                                               daemon=True)

    # test controls -----------------------------------------------------------------------------
    def create_session(self, user: str, session_id: str | None = None) -> str:
        sid = session_id or secrets.token_hex(20)  # SG's ids are 40 hex digits
        with self.cond:
            self.sessions[sid] = user
        return sid

    def delete_session(self, session_id: str) -> None:
        with self.cond:
            self.sessions.pop(session_id, None)

    def session_lookups(self, session_id: str) -> list[RecordedRequest]:
        with self.cond:
            return [r for r in self.requests if r.path.endswith(f"/_session/{session_id}")]

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> "FakeSGAdmin":
        self._accept_thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._accept_thread.join(2)
        self.listener.close()
        for s in list(self._socks):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        for t in self._threads:
            t.join(2)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            if self.down:
                with self.cond:
                    self.refused += 1
                _reset_close(sock)
                continue
            with self.cond:
                self._socks.append(sock)
            sock.settimeout(READ_TIMEOUT)
            t = threading.Thread(target=self._serve, args=(sock,), daemon=True, name="fakesg-admin-conn")
            self._threads.append(t)
            t.start()

    def _serve(self, sock: socket.socket) -> None:
        bs = BufferedSock(sock)
        try:
            while not self._stopping.is_set():
                head = read_head(bs)
                if self.down:  # a pooled keep-alive connection: fail the request too
                    with self.cond:
                        self.refused += 1
                    _reset_close(sock)
                    return
                req = FakeSG._read_request(bs, head, 0)
                with self.cond:
                    self.requests.append(req)
                    self.cond.notify_all()
                status, body = self._route(req)
                data = json.dumps(body).encode()
                sock.sendall((f"HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\n"
                              f"Server: fake-sg-admin\r\nContent-Length: {len(data)}\r\n\r\n").encode()
                             + data)
                if head.has_token("Connection", "close"):
                    break
        except (PeerClosed, OSError, ValueError, TimeoutError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def _route(self, req: RecordedRequest) -> tuple[int, dict]:
        if req.head.get("Authorization") != self.expected_auth:
            with self.cond:
                self.unauthorized += 1
            return 401, {"error": "Unauthorized", "reason": "Login required"}
        m = re.fullmatch(r"/([^/]+)/_session/([^/]+)", req.path)
        if req.method == "GET" and m:
            with self.cond:
                user = self.sessions.get(m.group(2))
            if user is None:
                return 404, {"error": "not_found", "reason": "missing"}
            return 200, {"authentication_handlers": ["default", "cookie"], "ok": True,
                         "userCtx": {"channels": {"!": 1}, "name": user}}
        return 404, {"error": "not_found", "reason": "unknown URL"}


class FakeSG:
    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.listener.settimeout(0.1)
        self.port: int = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.cond = threading.Condition()
        self.requests: list[RecordedRequest] = []
        self.sessions: list[WSSession] = []
        self.connections_accepted = 0
        self.changes_release = threading.Event()
        self.changes_first_sent = threading.Event()
        self.ws_echo = True
        self.ws_auto_pong = True
        self._stopping = threading.Event()
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._accept_thread = threading.Thread(target=self._accept_loop, name="fakesg-accept",
                                               daemon=True)
        self.admin = FakeSGAdmin()
        self.admin_url = self.admin.url

    def start(self) -> "FakeSG":
        self._accept_thread.start()
        self.admin.start()
        return self

    def stop(self) -> None:
        self.admin.stop()
        self._stopping.set()
        self.changes_release.set()
        self._accept_thread.join(2)
        self.listener.close()
        for s in list(self._socks):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        for t in self._threads:
            t.join(2)

    # waiting helpers --------------------------------------------------------------------------
    def wait_for_request(self, pred=lambda r: True, timeout: float = 10.0) -> RecordedRequest:
        return wait_until(lambda: next((r for r in self.requests if pred(r)), None), timeout,
                          "a matching request", self.cond)

    def wait_for_session(self, index: int = 0, timeout: float = 10.0) -> WSSession:
        return wait_until(lambda: self.sessions[index] if len(self.sessions) > index else None,
                          timeout, f"websocket session #{index}", self.cond)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self.cond:
            return [r for r in self.requests if r.path == path]

    # server internals --------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.cond:
                self.connections_accepted += 1
                index = self.connections_accepted
                self._socks.append(sock)
            sock.settimeout(READ_TIMEOUT)
            t = threading.Thread(target=self._serve, args=(sock, index), daemon=True,
                                 name=f"fakesg-conn-{index}")
            self._threads.append(t)
            t.start()

    def _serve(self, sock: socket.socket, index: int) -> None:
        bs = BufferedSock(sock)
        try:
            while not self._stopping.is_set():
                head = read_head(bs)
                req = self._read_request(bs, head, index)
                with self.cond:
                    self.requests.append(req)
                    self.cond.notify_all()
                if head.has_token("Upgrade", "websocket") and req.path.endswith("/_blipsync"):
                    self._websocket(sock, bs, req)
                    return
                keep = self._respond(sock, req)
                if not keep or head.has_token("Connection", "close"):
                    break
        except (PeerClosed, OSError, ValueError, TimeoutError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    @staticmethod
    def _read_request(bs: BufferedSock, head: Head, index: int) -> RecordedRequest:
        method, target, _ = head.start_line.split(" ", 2)
        parts = urlsplit(target)
        chunked = head.has_token("Transfer-Encoding", "chunked")
        if chunked:
            body, raw = read_chunked(bs)
        elif head.get("Content-Length") is not None:
            body = raw = bs.read_exact(int(head.get("Content-Length")))
        else:
            body = raw = b""
        return RecordedRequest(index, method, target, parts.path, parts.query, head, body, raw, chunked)

    def _respond(self, sock: socket.socket, req: RecordedRequest) -> bool:
        if req.path.endswith("/_changes") and "feed=continuous" in req.query:
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            sock.sendall(b"%x\r\n%s\r\n" % (len(CHANGES_FIRST), CHANGES_FIRST))
            self.changes_first_sent.set()
            self.changes_release.wait(15)
            sock.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(CHANGES_REST), CHANGES_REST))
            return True
        if req.path.endswith("/_chunked"):
            out = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
            out += b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in CHUNKED_PARTS) + b"0\r\n\r\n"
            sock.sendall(out)
            return True
        status = 201 if req.method == "PUT" else 200
        m = re.fullmatch(r"/_fakesg/status/(\d{3})", req.path)
        if m:
            status = int(m.group(1))
        with self.cond:
            seq = len(self.requests)
        body = json.dumps({"method": req.method, "path": req.path, "query": req.query,
                           "seq": seq, "conn": req.conn_index, "body_len": len(req.body)}).encode()
        head = (f"HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\n"
                f"Server: fake-sg\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        sock.sendall(head + (body if req.method != "HEAD" else b""))
        return True

    def _websocket(self, sock: socket.socket, bs: BufferedSock, req: RecordedRequest) -> None:
        offered = [p.strip() for v in req.head.get_all("Sec-WebSocket-Protocol") for p in v.split(",")]
        blip = sorted(((int(m.group(1)), p) for p in offered if (m := BLIP_RE.match(p))), reverse=True)
        chosen = blip[0][1] if blip else None
        lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Accept: {accept_key(req.head.get('Sec-WebSocket-Key', ''))}"]
        if chosen:
            lines.append(f"Sec-WebSocket-Protocol: {chosen}")
        lines.append(f"X-Correlation-ID: {uuid.uuid4().hex[:16]}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
        session = WSSession(self, req, sock, chosen, raw, echo=self.ws_echo, auto_pong=self.ws_auto_pong)
        # Blocking socket (reads are polled with select in WSSession.run); sends are bounded by
        # SO_SNDTIMEO so a scripted send into a stalled peer cannot hang a test forever.
        sock.settimeout(None)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 10, 0))
        with self.cond:  # registered before the 101 goes out, so session order == open order
            self.sessions.append(session)
            self.cond.notify_all()
        with session.send_lock:
            sock.sendall(raw)
        session.run(bs)
