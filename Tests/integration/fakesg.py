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

A second listener (`FakeSG.admin`, URL `FakeSG.admin_url`) plays SG's admin API as sg-facts.md §1.2-1.3
describes it: users are (db, name) with a password, `disabled` and a session UUID; sessions have a TTL, an
expiry and the UUID of their user at creation (a session whose user's UUID rotated is invalid).
  POST   /{db}/_session {name, ttl}          -> 200 {session_id, expires (RFC 3339 UTC), cookie_name}
  GET    /{db}/_session/{id}                 -> 200 {"ok":true,"userCtx":{...}} (no expiry) while valid, else 404
  DELETE /{db}/_session/{id}                 -> 200, or 404
  DELETE /{db}/_user/{name}/_session         -> 200 (rotates the user's session UUID), 404 for no such user
  DELETE /{db}/_user/{name}/_session/{id}    -> 200, or 404 when the session is not that user's
  GET    /{db}/_user/{name}                  -> 200 user info, or 404
  PUT    /{db}/_user/{name}, POST /{db}/_user/[{name}]
                                             -> 201 created / 200 updated; `password` rotates the session UUID
  DELETE /{db}/_user/{name}                  -> 200, or 404
  ANY    /_fakesg/status/NNN[/…]             -> status NNN, echoes the request (pass-through checks)
  `{db}` may be a keyspace (`db.scope.collection`); segments are percent-decoded; trailing slashes ignored.
  (every request needs Basic ADMIN_USER:ADMIN_PASSWORD, else 401; `down=True` resets every connection)
Sessions made with `create_session(user)` without a db are valid in every db (the older tests' shape).

Sliding expiry (the public side shares the admin's sessions): a request or `_blipsync` upgrade carrying a valid
`SyncGatewaySession` cookie, once 10 % of the TTL has passed since the last refresh, extends the session to
now + TTL and gets `Set-Cookie: SyncGatewaySession=<id>; Path=/<db>/; Expires=<HTTP-date>`
(`FakeSGAdmin.sliding = False` turns that off). With `FakeSG.check_auth = True` the public side also refuses,
with 401 as SG does, a session cookie that is not valid in that db and Basic credentials of a user that does not
exist in that db, is `disabled` or has another password (off by default: the older tests use made-up users).
"""
from __future__ import annotations

import base64
import datetime as dt
import email.utils
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
from urllib.parse import unquote, urlsplit

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
    # Set by the public side before answering: SG's sliding-expiry Set-Cookie for this request, if any.
    set_cookie: str | None = None

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


@dataclass
class SGUser:
    db: str
    name: str
    password: str | None
    disabled: bool = False
    session_uuid: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass
class SGSession:
    id: str
    user: str
    db: str | None              # None: valid in every db (create_session without a db)
    ttl: float                  # seconds
    expires: float              # Unix seconds
    session_uuid: str | None    # the user's UUID when created; None when the user is unknown to the fake
    refreshed: float            # last time the expiry was set (creation or a slide)


def rfc3339(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sg_path(path: str) -> tuple[str | None, list[str]]:
    """(db, decoded segments after the keyspace) for an SG path; db None for `/_…` server-level paths."""
    raw = [seg for seg in path.split("/") if seg]
    if not raw:
        return None, []
    segs = [unquote(seg) for seg in raw]
    keyspace = segs[0]
    if keyspace.startswith("_"):
        return None, segs
    return keyspace.split(".", 1)[0], segs[1:]


class FakeSGAdmin:
    """SG's admin API: users and sessions as SG keeps them (see the module docstring). Tests may create and
    delete them directly (as if another app server called SG, not through curfew) or through curfew's
    `gateway_admin` pass-through."""

    COOKIE_NAME = "SyncGatewaySession"

    def __init__(self, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(512)
        self.listener.settimeout(0.1)
        self.port: int = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.username = username
        self.password = password
        self.expected_auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.cond = threading.Condition()
        self.users: dict[tuple[str, str], SGUser] = {}
        self.session_table: dict[str, SGSession] = {}
        self.create_session(DEFAULT_SESSION_USER, DEFAULT_SESSION_ID)
        self.requests: list[RecordedRequest] = []
        self.unauthorized = 0
        self.refused = 0          # connections/requests dropped while `down`
        self.down = False
        self.sliding = True
        self.slides = 0           # Set-Cookie refreshes handed out by the public side
        self._stopping = threading.Event()
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._accept_thread = threading.Thread(target=self._accept_loop, name="fakesg-admin-accept",
                                               daemon=True)

    # test controls (direct, as SG itself) --------------------------------------------------------
    @property
    def sessions(self) -> dict[str, str]:
        """id -> user of the sessions that are valid now (the older tests' view)."""
        with self.cond:
            return {sid: s.user for sid, s in self.session_table.items() if self._valid(s, None, time.time())}

    def create_session(self, user: str, session_id: str | None = None, *, db: str | None = None,
                       ttl: float = 86400) -> str:
        sid = session_id or secrets.token_hex(20)  # SG's ids are 40 hex digits
        now = time.time()
        with self.cond:
            u = self.users.get((db, user)) if db is not None else None
            self.session_table[sid] = SGSession(sid, user, db, ttl, now + ttl, u.session_uuid if u else None, now)
        return sid

    def delete_session(self, session_id: str) -> None:
        with self.cond:
            self.session_table.pop(session_id, None)

    def session_lookups(self, session_id: str) -> list[RecordedRequest]:
        with self.cond:
            return [r for r in self.requests if r.path.endswith(f"/_session/{session_id}")]

    def put_user(self, db: str, name: str, password: str | None, *, disabled: bool = False) -> SGUser:
        with self.cond:
            u = self.users.get((db, name))
            if u is None:
                u = self.users[(db, name)] = SGUser(db, name, password, disabled)
            else:
                if password is not None:
                    u.password = password
                    u.session_uuid = uuid.uuid4().hex
                u.disabled = disabled
            return u

    def session(self, session_id: str) -> SGSession | None:
        with self.cond:
            return self.session_table.get(session_id)

    # SG's rules --------------------------------------------------------------------------------
    def _valid(self, s: SGSession, db: str | None, now: float) -> bool:
        """Caller holds cond. Valid: not expired, in this db, and (for a known user) the user still exists with
        the same session UUID. Disabling does not invalidate a session (sg-facts §1.2)."""
        if s.expires <= now or (db is not None and s.db is not None and s.db != db):
            return False
        if s.session_uuid is None:
            return True
        u = self.users.get((s.db, s.user))
        return u is not None and u.session_uuid == s.session_uuid

    def valid_session(self, session_id: str, db: str | None) -> SGSession | None:
        with self.cond:
            s = self.session_table.get(session_id)
            return s if s is not None and self._valid(s, db, time.time()) else None

    def slide(self, session_id: str, db: str) -> str | None:
        """The public side's sliding expiry: a Set-Cookie value when the session was refreshed, else None."""
        now = time.time()
        with self.cond:
            s = self.session_table.get(session_id)
            if not self.sliding or s is None or not self._valid(s, db, now) or now - s.refreshed < s.ttl * 0.1:
                return None
            s.refreshed = now
            s.expires = now + s.ttl
            self.slides += 1
            expires = email.utils.formatdate(s.expires, usegmt=True)
        return f"{self.COOKIE_NAME}={session_id}; Path=/{db}/; Expires={expires}; HttpOnly"

    def check_basic(self, db: str, name: str, password: str) -> bool:
        """SG's Basic check: the user exists in that db, is not disabled, and the password matches."""
        with self.cond:
            u = self.users.get((db, name))
            return u is not None and not u.disabled and u.password == password

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
                self._threads = [t for t in self._threads if t.is_alive()]
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
                status, body, extra = self._route(req)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                extra_lines = "".join(f"{k}: {v}\r\n" for k, v in extra)
                sock.sendall((f"HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\n"
                              f"Server: fake-sg-admin\r\n{extra_lines}Content-Length: {len(data)}\r\n\r\n").encode()
                             + (data if req.method != "HEAD" else b""))
                if head.has_token("Connection", "close"):
                    break
        except (PeerClosed, OSError, ValueError, TimeoutError):
            pass
        finally:
            with self.cond:
                if sock in self._socks:
                    self._socks.remove(sock)
            try:
                sock.close()
            except OSError:
                pass

    def _route(self, req: RecordedRequest) -> tuple[int, dict | bytes, list[tuple[str, str]]]:
        if req.head.get("Authorization") != self.expected_auth:
            with self.cond:
                self.unauthorized += 1
            return 401, {"error": "Unauthorized", "reason": "Login required"}, \
                [("WWW-Authenticate", 'Basic realm="Couchbase Sync Gateway"')]
        m = re.fullmatch(r"/_fakesg/status/(\d{3})(/.*)?", req.path)
        if m:
            # An arbitrary answer for pass-through checks: odd headers and a body that names the request.
            body = json.dumps({"method": req.method, "path": req.path, "query": req.query,
                               "body_len": len(req.body)}).encode()
            return int(m.group(1)), body, [("X-Fake-Answer", "as-is"), ("Cache-Control", "no-store"),
                                           ("Set-Cookie", "unrelated=1; Path=/")]
        db, rest = sg_path(req.path)
        if db is None or not rest:
            return 404, {"error": "not_found", "reason": "unknown URL"}, []
        with self.cond:
            status, body = self._db_route(req, db, rest)
            self.cond.notify_all()
        return status, body, []

    def _db_route(self, req: RecordedRequest, db: str, rest: list[str]) -> tuple[int, dict]:
        """Caller holds cond."""
        now = time.time()
        missing = (404, {"error": "not_found", "reason": "missing"})
        method = req.method
        if rest[0] == "_session":
            if method == "POST" and len(rest) == 1:
                try:
                    body = json.loads(req.body or b"{}")
                except ValueError:
                    return 400, {"error": "Bad Request", "reason": "Bad JSON"}
                name, ttl = body.get("name"), body.get("ttl", 86400)
                u = self.users.get((db, name))
                if u is None:
                    return 404, {"error": "not_found", "reason": f"No such user {name!r}"}
                if u.disabled:
                    return 400, {"error": "Bad Request", "reason": "User is disabled"}
                if not isinstance(ttl, (int, float)) or ttl < 1:
                    return 400, {"error": "Bad Request", "reason": "Invalid session time-to-live"}
                sid = secrets.token_hex(20)
                self.session_table[sid] = SGSession(sid, name, db, float(ttl), now + ttl, u.session_uuid, now)
                return 200, {"session_id": sid, "expires": rfc3339(now + ttl), "cookie_name": self.COOKIE_NAME}
            if len(rest) == 2:
                s = self.session_table.get(rest[1])
                if method == "GET":
                    if s is None or not self._valid(s, db, now):
                        return missing
                    return 200, {"authentication_handlers": ["default", "cookie"], "ok": True,
                                 "userCtx": {"channels": {"!": 1}, "name": s.user}}
                if method == "DELETE":
                    if s is None or (s.db is not None and s.db != db):
                        return missing
                    del self.session_table[rest[1]]
                    return 200, {}
            return 404, {"error": "not_found", "reason": "unknown URL"}
        if rest[0] == "_user":
            if method == "POST" and len(rest) == 1:  # POST /{db}/_user/ with the name in the body
                try:
                    body = json.loads(req.body or b"{}")
                except ValueError:
                    return 400, {"error": "Bad Request", "reason": "Bad JSON"}
                return self._upsert_user(db, str(body.get("name", "")), body)
            if len(rest) < 2:
                return 404, {"error": "not_found", "reason": "unknown URL"}
            name = rest[1]
            u = self.users.get((db, name))
            if len(rest) == 2:
                if method in ("PUT", "POST"):
                    try:
                        body = json.loads(req.body or b"{}")
                    except ValueError:
                        return 400, {"error": "Bad Request", "reason": "Bad JSON"}
                    return self._upsert_user(db, name, body)
                if method == "GET":
                    if u is None:
                        return missing
                    return 200, {"name": name, "disabled": u.disabled, "admin_channels": []}
                if method == "DELETE":
                    if u is None:
                        return missing
                    del self.users[(db, name)]
                    return 200, {}
            if len(rest) >= 3 and rest[2] == "_session" and method == "DELETE":
                if u is None:
                    return missing
                if len(rest) == 3:
                    u.session_uuid = uuid.uuid4().hex     # every session of the user is invalid now
                    return 200, {}
                if len(rest) == 4:
                    s = self.session_table.get(rest[3])
                    if s is None or s.user != name or (s.db is not None and s.db != db):
                        return missing
                    del self.session_table[rest[3]]
                    return 200, {}
        return 404, {"error": "not_found", "reason": "unknown URL"}

    def _upsert_user(self, db: str, name: str, body: dict) -> tuple[int, dict]:
        """Caller holds cond. A `password` field (any value) rotates the session UUID, as SetPassword does."""
        if not name or not isinstance(body, dict):
            return 400, {"error": "Bad Request", "reason": "Missing name"}
        u = self.users.get((db, name))
        created = u is None
        if created:
            u = self.users[(db, name)] = SGUser(db, name, None)
        if "password" in body and body["password"] is not None:
            u.password = str(body["password"])
            u.session_uuid = uuid.uuid4().hex
        if "disabled" in body:
            u.disabled = bool(body["disabled"])
        return (201, {}) if created else (200, {})


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
        self.check_auth = False   # see the module docstring
        self.auth_refused = 0
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
                ok, set_cookie = self._authenticate(req)
                if not ok:
                    self._refuse(sock)
                    if head.has_token("Connection", "close"):
                        break
                    continue
                req.set_cookie = set_cookie
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

    def _authenticate(self, req: RecordedRequest) -> tuple[bool, str | None]:
        """SG's public-side view of the request's credential: (accepted, Set-Cookie value of a slide)."""
        db, _ = sg_path(req.path)
        cookie = None
        for line in req.head.get_all("Cookie"):
            for part in line.split(";"):
                name, _, value = part.strip().partition("=")
                if name == FakeSGAdmin.COOKIE_NAME and value:
                    cookie = value
        auth = req.head.get("Authorization") or ""
        if auth.startswith("Basic ") and db is not None:
            try:
                name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return (not self.check_auth), None
            if self.check_auth and not self.admin.check_basic(db, name, password):
                return False, None
            return True, None
        if cookie is not None and db is not None:
            if self.check_auth and self.admin.valid_session(cookie, db) is None:
                return False, None
            return True, self.admin.slide(cookie, db)
        return True, None

    def _refuse(self, sock: socket.socket) -> None:
        with self.cond:
            self.auth_refused += 1
        body = b'{"error":"Unauthorized","reason":"Invalid login"}'
        sock.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                     b"WWW-Authenticate: Basic realm=\"Couchbase Sync Gateway\"\r\n"
                     b"Server: fake-sg\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

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
        extra_lines = f"Set-Cookie: {req.set_cookie}\r\n" if req.set_cookie else ""
        head = (f"HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\n"
                f"Server: fake-sg\r\n{extra_lines}Content-Length: {len(body)}\r\n\r\n").encode()
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
        if req.set_cookie:
            lines.append(f"Set-Cookie: {req.set_cookie}")
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
