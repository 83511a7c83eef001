"""curfew's admin API through the real binary: `POST /revoke` by user, jti and connection cuts exactly the
matching live websockets (4001 `curfew: revoked`, one `cut` line, `{"cut": N}`) and decides what the handshake
refuses afterwards; bad bodies are 400; every endpoint but `/healthz` needs the token; `GET /connections`,
`POST /heartbeat`, `GET /metrics` and `POST /reload` do what the contract says; `admin` without `token_file`
is a config error. (Revocation by session is in test_sessions.py.)"""
from __future__ import annotations

import json
import time
import uuid

import pytest
from curfewproc import run_cli
from enforce import (ADMIN_TOKEN, assert_unauthorized, basic, check_cut_event, enforcement_config,
                     expect_cut_frame, jti_of, parse_rfc3339, sleep_past_second, still_open, wait_until,
                     write_files)
from fakesg import FakeSG
from wsproto import OP_BINARY


@pytest.fixture(scope="module")
def env(env_factory):
    e = env_factory(leeway="0s", admin=True)
    yield e
    e.stop()


def _user(prefix: str) -> str:
    """A user name no other test touches: revocations are per user and outlive a test."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _cut_line(env, conn: int) -> dict:
    return env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)


def _cuts_of(env, conn: int) -> list[dict]:
    return [e for e in env.cf.events_named("cut") if e.get("conn") == conn]


def _expect_revoked(env, ws, conn: int, user: str, credential: str = "jwt") -> dict:
    expect_cut_frame(ws, "revoked", timeout=5)
    ev = _cut_line(env, conn)
    check_cut_event(ev, reason="revoked", credential=credential, user=user)
    return ev


def _connections(env, user: str | None = None) -> list[dict]:
    r = env.admin("GET", "/connections" + (f"?user={user}" if user is not None else ""))
    assert r.status == 200, (r.status, r.body)
    assert "json" in (r.header("Content-Type") or ""), r.header("Content-Type")
    body = json.loads(r.body)
    assert isinstance(body, dict) and isinstance(body.get("connections"), list), body
    return body["connections"]


# -- POST /revoke ------------------------------------------------------------------------------------

def test_revoke_user_cuts_only_that_users_connections_and_refuses_older_tokens(env):
    victim, bystander = _user("rv-user"), _user("rv-bystander")
    t1 = env.keys.token(victim, "RS256", exp_in=3600)
    t2 = env.keys.token(victim, "ES256", exp_in=3600)
    other = env.keys.token(bystander, "RS256", exp_in=3600)
    ws1, c1 = env.ws(bearer=t1)
    ws2, c2 = env.ws(bearer=t2)
    ws3, c3 = env.ws(bearer=other)
    for ws in (ws1, ws2, ws3):
        still_open(ws)
    before = env.metrics()

    revoked_from = time.time()
    assert env.revoke({"user": victim}) == 2
    revoked_to = time.time()

    for ws, conn in ((ws1, c1), (ws2, c2)):
        ev = _expect_revoked(env, ws, conn, victim)
        assert ev["credential_id"] in (jti_of(t1), jti_of(t2)), ev
    still_open(ws3, b"bystander untouched")
    assert _cuts_of(env, c3) == []

    # Issued before, or in the revocation's second: refused at the handshake, never reaching SG.
    in_second = env.keys.token(victim, "RS256", exp_in=3600, iat=int(revoked_from))
    for token in (t1, t2, in_second):
        marker = uuid.uuid4().hex
        assert_unauthorized(env.attempt(f"/db/_blipsync?m={marker}", bearer=token), "revoked")
        assert not env.sg_saw(marker)
    assert_unauthorized(env.rest("GET", f"/db/doc-{uuid.uuid4().hex[:6]}", bearer=t1), "revoked")
    assert_unauthorized(env.heartbeat(bearer=t1), "revoked")   # nor may it prove anything in a heartbeat
    # A fresh login (a token issued in a later second) works; so does the bystander.
    sleep_past_second(revoked_to)
    fresh = env.keys.token(victim, "RS256", exp_in=3600)
    ws4, c4 = env.ws(bearer=fresh)
    still_open(ws4, b"fresh login")
    ws5, _ = env.ws(bearer=other)
    still_open(ws5)

    after = env.metrics()
    assert after.value("curfew_cuts_total", reason="revoked") == \
        before.value("curfew_cuts_total", reason="revoked") + 2
    assert after.value("curfew_rejects_total") >= before.value("curfew_rejects_total") + 4
    assert after.value("curfew_rejects_total", reason="revoked") >= \
        before.value("curfew_rejects_total", reason="revoked") + 4
    assert after.value("curfew_cut_lateness_seconds_count") == \
        before.value("curfew_cut_lateness_seconds_count") + 2
    for ws in (ws3, ws4, ws5):
        ws.close()
    env.cf.assert_no_secrets(t1, t2, other, fresh)


def test_revoke_jti_cuts_only_that_token(env):
    user, bystander = _user("rv-jti"), _user("rv-jti-other")
    target = env.keys.token(user, "PS256", exp_in=3600)
    sibling = env.keys.token(user, "PS256", exp_in=3600)   # same user, another jti
    other = env.keys.token(bystander, "EdDSA", exp_in=3600)
    wa, ca = env.ws(bearer=target)
    wb, cb = env.ws(bearer=target)   # the same token on two connections: both go
    ws_sibling, c_sibling = env.ws(bearer=sibling)
    ws_other, c_other = env.ws(bearer=other)

    assert env.revoke({"jti": jti_of(target)}) == 2
    for ws, conn in ((wa, ca), (wb, cb)):
        ev = _expect_revoked(env, ws, conn, user)
        assert ev["credential_id"] == jti_of(target)
    still_open(ws_sibling, b"same user, other jti")
    still_open(ws_other)
    assert _cuts_of(env, c_sibling) == [] and _cuts_of(env, c_other) == []

    assert_unauthorized(env.attempt(bearer=target), "revoked")
    assert_unauthorized(env.heartbeat(bearer=target), "revoked")
    assert env.heartbeat(bearer=sibling).status == 204
    # The user is not revoked: the sibling and a new token both open.
    ws_again, _ = env.ws(bearer=sibling)
    still_open(ws_again)
    ws_new, _ = env.ws(bearer=env.keys.token(user, "RS256", exp_in=3600))
    still_open(ws_new)
    for ws in (ws_sibling, ws_other, ws_again, ws_new):
        ws.close()


def test_revoke_connection_cuts_only_it_and_leaves_the_credential_valid(env):
    user = _user("rv-conn")
    token = env.keys.token(user, "ES384", exp_in=3600)
    wa, ca = env.ws(bearer=token)
    wb, cb = env.ws(bearer=token)
    assert env.revoke({"connection": ca}) == 1
    _expect_revoked(env, wa, ca, user)
    still_open(wb, b"the other connection of the same token")
    assert _cuts_of(env, cb) == []
    # Only the connection was revoked: the very same token opens a new one.
    wc, _ = env.ws(bearer=token)
    still_open(wc)
    # Revoking a connection that is already gone, or never existed, cuts nothing.
    assert env.revoke({"connection": ca}) == 0
    assert env.revoke({"connection": 987654321}) == 0
    still_open(wb)
    still_open(wc)
    wb.close()
    wc.close()


def test_revoke_basic_user_cuts_its_websocket(env):
    user = _user("rv-basic")
    auth = basic(user, "pw-" + uuid.uuid4().hex[:6])
    ws, conn = env.ws(headers=[("Authorization", auth)])
    assert env.revoke({"user": user}) == 1
    _expect_revoked(env, ws, conn, user, credential="basic")
    env.cf.assert_no_secrets(auth.split(" ", 1)[1])


def test_revoke_matching_nothing_answers_zero(env):
    token = env.keys.token(_user("rv-none"), "RS256", exp_in=3600)
    ws, conn = env.ws(bearer=token)
    assert env.revoke({"user": _user("nobody")}) == 0
    assert env.revoke({"jti": uuid.uuid4().hex}) == 0
    still_open(ws)
    assert _cuts_of(env, conn) == []
    ws.close()


BAD_BODIES = {
    "no-body": b"",
    "empty-object": b"{}",
    "two-selectors": json.dumps({"user": "a", "jti": "b"}).encode(),
    "unknown-selector": json.dumps({"name": "a"}).encode(),
    "user-not-a-string": json.dumps({"user": 42}).encode(),
    "user-null": b'{"user": null}',
    "user-empty": json.dumps({"user": ""}).encode(),
    "jti-a-list": json.dumps({"jti": ["x"]}).encode(),
    "connection-not-a-number": json.dumps({"connection": "twelve"}).encode(),
    "connection-negative": b'{"connection": -3}',
    "connection-fraction": b'{"connection": 1.5}',
    "array": b'["user", "a"]',
    "not-json": b"user=a",
    "truncated-json": b'{"user": "a"',
    # Two selectors under one name: a decoder keeping either one would be guessing which was meant.
    "duplicate-key": b'{"user": "a", "user": "someone-else"}',
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_bad_revoke_body_is_400_and_cuts_nothing(env, name):
    user = _user("rv-bad")
    ws, conn = env.ws(bearer=env.keys.token(user, "RS256", exp_in=3600))
    body = BAD_BODIES[name].replace(b'"a"', json.dumps(user).encode())
    r = env.admin("POST", "/revoke", body)
    assert r.status == 400, (r.status, r.body)
    assert json.loads(r.body).get("error"), r.body
    still_open(ws)
    assert _cuts_of(env, conn) == []
    ws.close()


def test_revoke_user_cuts_a_streaming_changes_feed(env):
    from fakesg import CHANGES_FIRST
    from httpio import PeerClosed, read_head
    from wsclient import HTTPConn
    user = _user("rv-feed")
    token = env.keys.token(user, "RS256", exp_in=3600)
    ws, conn = env.ws(bearer=token)
    c = HTTPConn(env.cf.port, env.ctx, timeout=10)
    try:
        c.send(f"GET /db/_changes?feed=continuous&u={user} HTTP/1.1\r\nHost: localhost\r\n"
               f"Authorization: Bearer {token}\r\n\r\n".encode())
        head = read_head(c.bs)
        assert head.start_line.startswith("HTTP/1.1 200"), head.start_line
        size = int(c.bs.read_until(b"\r\n").strip(), 16)
        assert c.bs.read_exact(size + 2)[:-2] == CHANGES_FIRST
        assert env.revoke({"user": user}) == 2   # the websocket and the feed
        try:
            rest = c.bs.read_to_eof()
        except PeerClosed:
            rest = b""
        assert b"last_seq" not in rest, "the feed went on after the revocation"
    finally:
        c.close()
    _expect_revoked(env, ws, conn, user)
    feed_cut = env.cf.wait_for_event("cut", lambda e: e.get("user") == user and e.get("conn") != conn)
    assert feed_cut["reason"] == "revoked" and feed_cut["path"].startswith("/db/_changes"), feed_cut


def test_revoke_accepts_a_chunked_body(env):
    """HTTP/1.1 clients may send a JSON body chunked; the admin API must read the JSON, not the chunk lines."""
    from wsclient import HTTPConn, chunked
    user = _user("rv-chunked")
    ws, conn = env.ws(bearer=env.keys.token(user, "RS256", exp_in=3600))
    body = json.dumps({"user": user}).encode()
    c = HTTPConn(env.admin_port, None)
    try:
        r = c.request("POST", "/revoke", headers=[("Authorization", f"Bearer {ADMIN_TOKEN}"),
                                                  ("Content-Type", "application/json"),
                                                  ("Transfer-Encoding", "chunked")],
                      body=chunked([body[:5], body[5:]]))
    finally:
        c.close()
    assert (r.status, r.body) == (200, b'{"cut":1}'), (r.status, r.body)
    _expect_revoked(env, ws, conn, user)


class _SlowUpgradeSG(FakeSG):
    """Holds the 101 of upgrades whose query carries `slow=1` for a moment: a revocation can then land while
    curfew has admitted the handshake but SG has not answered yet."""

    def _websocket(self, sock, bs, req):
        if "slow=1" in req.query:
            time.sleep(1.0)
        super()._websocket(sock, bs, req)


@pytest.mark.parametrize("selector", ["user", "jti", "session"])
def test_revocation_during_a_handshake_cuts_the_websocket_when_it_opens(start_env, selector):
    import threading
    env = start_env(leeway="0s", admin=True, sg=_SlowUpgradeSG().start())
    user = _user("rv-race")
    token = env.keys.token(user, "RS256", exp_in=3600)
    sid = env.sg.admin.create_session(user)
    kw = {"headers": [("Cookie", f"SyncGatewaySession={sid}")]} if selector == "session" else {"bearer": token}
    opened: list = []
    t = threading.Thread(target=lambda: opened.append(env.ws("/db/_blipsync?slow=1", **kw)), daemon=True)
    t.start()
    env.sg.wait_for_request(lambda r: "slow=1" in r.query)   # admitted by curfew, waiting for SG's 101
    env.revoke({selector: {"user": user, "jti": jti_of(token), "session": sid}[selector]})
    t.join(10)
    assert opened, "the handshake did not complete"
    ws, conn = opened[0]
    # The credential was revoked before the websocket opened: it must not carry a replication.
    expect_cut_frame(ws, "revoked", timeout=5)
    check_cut_event(_cut_line(env, conn), reason="revoked",
                    credential="session" if selector == "session" else "jwt", user=user)


# -- admin API authentication -------------------------------------------------------------------------

ENDPOINTS = [("GET", "/connections", None), ("GET", "/connections?user=x", None),
             ("POST", "/revoke", {"user": "x"}), ("POST", "/heartbeat", {"user": "x"}),
             ("GET", "/metrics", None), ("POST", "/reload", None)]
WRONG_TOKENS = {"none": None, "wrong": "adm-" + "0" * 32, "prefix": ADMIN_TOKEN[:-1],
                "longer": ADMIN_TOKEN + "x", "empty": ""}


@pytest.mark.parametrize("method,path,body", ENDPOINTS)
@pytest.mark.parametrize("which", list(WRONG_TOKENS))
def test_admin_endpoints_need_the_token(env, method, path, body, which):
    r = env.admin(method, path, body, token=WRONG_TOKENS[which])
    assert r.status == 401, (r.status, r.body)
    assert json.loads(r.body).get("error") == "unauthorized", r.body
    assert ADMIN_TOKEN not in r.body.decode()


def test_admin_token_in_another_scheme_is_401(env):
    from wsclient import HTTPConn
    for value in (basic("admin", ADMIN_TOKEN), ADMIN_TOKEN, f"Token {ADMIN_TOKEN}"):
        c = HTTPConn(env.admin_port, None)
        try:
            r = c.request("GET", "/connections", headers=[("Authorization", value)])
        finally:
            c.close()
        assert r.status == 401, (value[:6], r.status)


def test_unauthorized_revoke_cuts_nothing(env):
    user = _user("rv-unauth")
    ws, conn = env.ws(bearer=env.keys.token(user, "RS256", exp_in=3600))
    r = env.admin("POST", "/revoke", {"user": user}, token="not-the-token")
    assert r.status == 401
    still_open(ws)
    assert _cuts_of(env, conn) == []
    ws.close()


def test_healthz_needs_no_token(env):
    for token in (None, "wrong", ADMIN_TOKEN):
        r = env.admin("GET", "/healthz", token=token)
        assert r.status == 200, (r.status, r.body)
    env.cf.assert_no_secrets(ADMIN_TOKEN)


# -- GET /connections ----------------------------------------------------------------------------------

def test_connections_lists_live_websockets_with_their_deadlines(env):
    user, other = _user("ls"), _user("ls-other")
    exp = int(time.time()) + 600
    token = env.keys.token(user, "RS256", exp=exp)
    long_token = env.keys.token(user, "ES256", exp_in=30 * 24 * 3600)   # outlives max_connection_age
    opened_at = time.time()
    ws, conn = env.ws(bearer=token)
    ws_long, conn_long = env.ws(bearer=long_token)
    ws_other, conn_other = env.ws(bearer=env.keys.token(other, "RS256", exp_in=600))
    payload = b"u" * 700
    ws.send(OP_BINARY, payload)
    f = ws.recv_frame(5)
    assert f.payload == payload

    rows = _connections(env, user)
    assert sorted(r["id"] for r in rows) == sorted([conn, conn_long]), rows
    row = next(r for r in rows if r["id"] == conn)
    fields = {"id", "user", "credential", "credential_id", "remote", "path", "opened", "deadline",
              "deadline_cause", "bytes_up", "bytes_down"}
    assert fields <= set(row), set(row) ^ fields
    assert row["user"] == user and row["credential"] == "jwt"
    assert row["credential_id"] == jti_of(token)
    assert row["remote"] == f"127.0.0.1:{ws.sock.getsockname()[1]}"
    assert row["path"] == "/db/_blipsync"
    assert abs(parse_rfc3339(row["opened"]) - opened_at) < 5, row["opened"]
    assert abs(parse_rfc3339(row["deadline"]) - exp) < 0.5, (row["deadline"], exp)   # exp + leeway 0s
    assert "credential" in str(row["deadline_cause"]), row
    assert row["bytes_up"] >= len(payload) and row["bytes_down"] >= len(payload), row

    long_row = next(r for r in rows if r["id"] == conn_long)
    assert long_row["credential_id"] == jti_of(long_token)
    # max_connection_age (12h) comes before the token's exp: that is the deadline and its cause.
    assert abs(parse_rfc3339(long_row["deadline"]) - (opened_at + 12 * 3600)) < 10, long_row["deadline"]
    assert "age" in str(long_row["deadline_cause"]) and long_row["deadline_cause"] != row["deadline_cause"]
    assert long_row["bytes_up"] < len(payload)

    everyone = {r["id"]: r for r in _connections(env)}
    assert {conn, conn_long, conn_other} <= set(everyone)
    assert everyone[conn_other]["user"] == other
    assert _connections(env, _user("nobody")) == []
    text = env.admin("GET", "/connections").body.decode()
    assert token not in text and long_token not in text

    ws.close()
    wait_until(lambda: conn not in {r["id"] for r in _connections(env, user)}, 5,
               "a closed websocket to leave /connections")
    for w in (ws_long, ws_other):
        w.close()


@pytest.mark.parametrize("name", ["alice@example.com", "with space", "ünïcode+plus", 'quote"back\\slash&x=1'])
def test_connections_user_filter_is_percent_decoded(env, name):
    from urllib.parse import quote
    user = f"{name}-{uuid.uuid4().hex[:6]}"
    ws, conn = env.ws(headers=[("Authorization", basic(user, "pw"))])
    rows = _connections(env, quote(user, safe=""))
    assert [(r["id"], r["user"]) for r in rows] == [(conn, user)], rows
    ws.close()


def test_admin_keep_alive_connection_serves_several_requests(env):
    """One admin connection, several requests: a 401 does not end it, and each answer is complete."""
    from wsclient import HTTPConn
    user = _user("ka")
    ws, conn = env.ws(bearer=env.keys.token(user, "RS256", exp_in=3600))
    auth = [("Authorization", f"Bearer {ADMIN_TOKEN}")]
    c = HTTPConn(env.admin_port, None)
    try:
        assert c.request("GET", "/connections").status == 401
        r = c.request("GET", f"/connections?user={user}", headers=auth)
        assert r.status == 200 and [x["id"] for x in json.loads(r.body)["connections"]] == [conn]
        r = c.request("GET", "/metrics", headers=auth)
        assert r.status == 200 and b"curfew_cuts_total" in r.body
        r = c.request("POST", "/heartbeat", headers=auth + [("Content-Type", "application/json")],
                      body=json.dumps({"user": user}).encode())
        assert r.status == 204, (r.status, r.body)
        r = c.request("POST", "/revoke", headers=auth + [("Content-Type", "application/json")],
                      body=json.dumps({"connection": conn}).encode())
        assert (r.status, json.loads(r.body)) == (200, {"cut": 1})
        assert c.request("GET", "/healthz").status == 200
    finally:
        c.close()
    expect_cut_frame(ws, "revoked", timeout=5)


def test_connections_jwt_without_jti_gets_a_short_hash(env):
    import jwt as pyjwt
    user = _user("ls-nojti")
    claims = env.keys.claims(user, exp_in=600)
    del claims["jti"]
    token = pyjwt.encode(claims, env.keys.rsa, algorithm="RS256", headers={"kid": "rsa-1"})
    ws, conn = env.ws(bearer=token)
    rows = _connections(env, user)
    assert [r["id"] for r in rows] == [conn]
    cid = rows[0]["credential_id"]
    assert isinstance(cid, str) and 8 <= len(cid) <= 64 and cid not in token, cid
    assert token.split(".")[2] not in json.dumps(rows)
    # Stable: a second connection on the same token shows the same id (an operator can match them up).
    ws2, conn2 = env.ws(bearer=token)
    assert {r["id"]: r["credential_id"] for r in _connections(env, user)} == {conn: cid, conn2: cid}
    assert env.revoke({"user": user}) == 2
    for w, c in ((ws, conn), (ws2, conn2)):
        assert _expect_revoked(env, w, c, user)["credential_id"] == cid
    env.cf.assert_no_secrets(token)


def test_connections_shows_basic_without_the_password(env):
    user = _user("ls-basic")
    password = "pw-" + uuid.uuid4().hex
    ws, conn = env.ws(headers=[("Authorization", basic(user, password))])
    rows = _connections(env, user)
    assert [r["id"] for r in rows] == [conn]
    assert rows[0]["credential"] == "basic"
    assert rows[0]["credential_id"] and password not in json.dumps(rows)
    ws.close()


# -- POST /heartbeat ----------------------------------------------------------------------------------

def test_admin_heartbeat_is_204_and_counted(env):
    before = env.metrics().value("curfew_heartbeats_total")
    r = env.admin("POST", "/heartbeat", {"user": _user("hb")})
    assert r.status == 204, (r.status, r.body)
    assert r.body == b""
    assert env.metrics().value("curfew_heartbeats_total") == before + 1
    for bad in (b"", b"{}", json.dumps({"jti": "x"}).encode(), json.dumps({"user": 3}).encode(), b"nope"):
        r = env.admin("POST", "/heartbeat", bad)
        assert r.status == 400, (bad, r.status, r.body)
    assert env.metrics().value("curfew_heartbeats_total") == before + 1


def test_admin_heartbeat_clears_a_missed_heartbeat(start_env):
    env = start_env(leeway="0s", admin=True, heartbeat={"timeout": "1s", "refresh_credentials": True})
    user = _user("hb-owed")
    token = env.keys.token(user, "RS256", exp_in=3600)
    ws, conn = env.ws(bearer=token)
    expect_cut_frame(ws, "heartbeat_missed", timeout=5)
    assert_unauthorized(env.attempt(bearer=token), "heartbeat_missed")
    r = env.admin("POST", "/heartbeat", {"user": _user("someone-else")})
    assert r.status == 204
    assert_unauthorized(env.attempt(bearer=token), "heartbeat_missed")   # vouching for another user: no
    r = env.admin("POST", "/heartbeat", {"user": user})
    assert r.status == 204, (r.status, r.body)
    ws2, _ = env.ws(bearer=token)   # the app server vouched: the user may connect again
    still_open(ws2)
    ws2.close()


# -- GET /metrics -------------------------------------------------------------------------------------

METRIC_TYPES = {"curfew_connections_open": "gauge", "curfew_cuts_total": "counter",
                "curfew_rejects_total": "counter", "curfew_heartbeats_total": "counter",
                "curfew_timer_wheel_entries": "gauge", "curfew_cut_lateness_seconds": "histogram"}


def test_metrics_names_types_and_movement(start_env):
    env = start_env(leeway="0s", admin=True)
    m0 = env.metrics()
    for name, kind in METRIC_TYPES.items():
        assert m0.types.get(name) == kind, (name, m0.types.get(name))
    assert "text/plain" in (env.admin("GET", "/metrics").header("Content-Type") or "")
    assert m0.count("curfew_cut_lateness_seconds_bucket") >= 2
    assert m0.value("curfew_cut_lateness_seconds_count") == 0
    assert m0.value("curfew_cuts_total") == 0 and m0.value("curfew_rejects_total") == 0

    user = _user("m")
    wa, ca = env.ws(bearer=env.keys.token(user, "RS256", exp_in=3600))
    wb, cb = env.ws(bearer=env.keys.token(user, "RS256", exp_in=3600))
    m1 = env.metrics()
    assert m1.value("curfew_connections_open") >= m0.value("curfew_connections_open") + 2
    assert m1.value("curfew_timer_wheel_entries") >= m0.value("curfew_timer_wheel_entries") + 2

    assert env.revoke({"connection": ca}) == 1
    expect_cut_frame(wa, "revoked", timeout=5)
    wa.close()
    assert_unauthorized(env.attempt(bearer="not.a.jwt"))
    m2 = wait_until(lambda: (m := env.metrics()).value("curfew_connections_open")
                    <= m1.value("curfew_connections_open") - 1 and m, 5, "the cut connection to close")
    assert m2.value("curfew_cuts_total", reason="revoked") == 1
    assert m2.value("curfew_cuts_total") == 1
    assert m2.value("curfew_rejects_total") == 1
    assert m2.value("curfew_cut_lateness_seconds_count") == 1
    assert m2.value("curfew_cut_lateness_seconds_bucket", le="+Inf") == 1
    assert 0 <= m2.value("curfew_cut_lateness_seconds_sum") < 1
    assert m2.value("curfew_timer_wheel_entries") < m1.value("curfew_timer_wheel_entries")
    still_open(wb)
    wb.close()


# -- POST /reload -------------------------------------------------------------------------------------

def test_reload_applies_a_new_config_and_keeps_the_old_on_error(start_env):
    env = start_env(leeway="0s", anonymous="reject", admin=True)
    assert_unauthorized(env.attempt())
    cfg = enforcement_config(env.sg, leeway="0s", anonymous="allow", admin=True)
    cfg["admin"]["address"] = f"127.0.0.1:{env.admin_port}"
    cfg["listeners"][0]["address"] = f"127.0.0.1:{env.cf.port}"
    env.cf.write_config(cfg)
    mark = env.cf.mark()
    r = env.admin("POST", "/reload", b"")
    assert r.status in (200, 202, 204), (r.status, r.body)
    ev = env.cf.wait_for_event("reload", since=mark)
    assert ev.get("ok") is True, ev
    ws, conn = env.ws()   # anonymous is allowed now
    still_open(ws)
    row = next(r for r in _connections(env) if r["id"] == conn)
    assert (row["user"], row["credential"], row["credential_id"]) == (None, "none", None), row

    env.cf.write_config("{ this is not a config")
    mark = env.cf.mark()
    r = env.admin("POST", "/reload", b"")
    assert r.status in (200, 202, 204), (r.status, r.body)
    ev = env.cf.wait_for_event("reload", since=mark)
    assert ev.get("ok") is False, ev
    assert env.cf.alive()
    still_open(ws)
    ws2, _ = env.ws()   # still the config that allows anonymous
    still_open(ws2)
    assert env.admin("GET", "/healthz", token=None).status == 200
    ws.close()
    ws2.close()


# -- config -------------------------------------------------------------------------------------------

def _offline_config(directory, jwt_keys, certs) -> dict:
    """The enforcement config with its files in `directory`, for runs that never reach an SG."""
    write_files(directory, jwt_keys, certs)
    sg = FakeSG()   # only for its URLs; never started
    try:
        return enforcement_config(sg, admin=True)
    finally:
        sg.listener.close()
        sg.admin.listener.close()


@pytest.mark.parametrize("command", ["check", "run"])
def test_admin_without_token_file_is_a_config_error(curfew_bin, certs, jwt_keys, tmp_path, command):
    cfg = _offline_config(tmp_path, jwt_keys, certs)
    del cfg["admin"]["token_file"]
    (tmp_path / "curfew.json5").write_text(json.dumps(cfg))
    res = run_cli(curfew_bin, [command, "--config", str(tmp_path / "curfew.json5")], tmp_path)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "token_file" in out, out
    assert "config ok" not in out


def test_empty_admin_token_file_refuses_to_start(curfew_bin, certs, jwt_keys, tmp_path):
    """An empty token would let a `Bearer ` header with nothing after it through: curfew must not start."""
    cfg = _offline_config(tmp_path, jwt_keys, certs)
    (tmp_path / "admin.token").write_text("\n")
    (tmp_path / "curfew.json5").write_text(json.dumps(cfg))
    res = run_cli(curfew_bin, ["run", "--config", str(tmp_path / "curfew.json5")], tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "admin.token" in res.stdout + res.stderr
    assert '"listening"' not in res.stdout
