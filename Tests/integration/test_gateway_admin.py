"""SG admin calls made through curfew's `gateway_admin` pass-through cut exactly the connections SG's change
concerns, with the right reason, at once, and only after SG answered 2xx; users are per database; the
pass-through is transparent. recheck_interval is long here, so no session recheck can be what cuts."""
from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest
from sgenv import (ADMIN_AUTH, PROMPT, SGEnv, assert_unauthorized, parse_rfc3339, still_open, uid)


@pytest.fixture(scope="module")
def g(env_factory):
    e = SGEnv.start(env_factory, recheck_interval="60s", basic_max_age="1h")
    yield e
    e.stop()


def test_delete_session_cuts_only_that_session(g):
    alice, bob = uid("alice"), uid("bob")
    g.user("db1", alice)
    g.user("db1", bob)
    s1, _ = g.login("db1", alice)
    s2, _ = g.login("db1", alice)
    s3, _ = g.login("db1", bob)
    ws1, c1 = g.ws_session("db1", s1)
    ws1b, c1b = g.ws_session("db1", s1)    # a second connection on the same session goes too
    ws2, c2 = g.ws_session("db1", s2)
    ws3, c3 = g.ws_session("db1", s3)
    for ws in (ws1, ws1b, ws2, ws3):
        still_open(ws)

    t = time.monotonic()
    r = g.gw("DELETE", f"/db1/_session/{s1}")
    assert r.status == 200, (r.status, r.body)
    for ws, conn in ((ws1, c1), (ws1b, c1b)):
        g.cut_within(ws, conn, "session_deleted", credential="session", user=alice, path="/db1/_blipsync", since=t)
    ev = g.cf.wait_for_event("sg_admin", lambda e: e.get("action") == "delete_session")
    assert ev["cut"] == 2 and ev["db"] == "db1", ev
    still_open(ws2)
    still_open(ws3)
    g.not_cut(c2, c3)

    r, marker = g.attempt_session("db1", s1)
    assert_unauthorized(r)
    assert not g.env.sg_saw(marker), "a deleted session's handshake reached SG"
    g.cf.assert_no_secrets(s1, s2, s3)
    for ws in (ws2, ws3):
        ws.close()


def test_an_admin_call_sg_refuses_cuts_nothing(g):
    alice = uid("alice")
    pw = g.user("db1", alice)
    sid, _ = g.login("db1", alice)
    ws, conn = g.ws_session("db1", sid)
    basic_ws, basic_conn = g.ws_basic("db1", alice, pw)
    mark = g.cf.mark()
    refused = [
        g.gw("DELETE", f"/db2/_session/{sid}"),                     # not a db2 session: 404
        g.gw("DELETE", f"/db1/_user/{uid('nobody')}"),              # no such user: 404
        g.gw("DELETE", f"/db1/_user/{uid('nobody')}/_session"),     # 404
        g.gw("DELETE", f"/db1/_user/{uid('bob')}/_session/{sid}"),  # not that user's session: 404
        g.gw("DELETE", f"/db1/_session/{sid}", auth=None),          # SG wants admin credentials: 401
        g.gw("DELETE", f"/db1/_user/{alice}", auth="Basic bm90OmFkbWlu"),
        g.gw("PUT", f"/db1/_user/{alice}", b"{not json", headers=[]),  # 400
    ]
    assert [r.status for r in refused] == [404, 404, 404, 404, 401, 401, 400], [(r.status, r.body) for r in refused]
    time.sleep(PROMPT / 2)
    still_open(ws)
    still_open(basic_ws)
    g.not_cut(conn, basic_conn)
    assert [e for e in g.cf.events_named("sg_admin", since=mark)] == [], "curfew acted on a call SG refused"
    # The session is still fine at SG and at curfew.
    assert g.admin.valid_session(sid, "db1") is not None
    ws2, _ = g.ws_session("db1", sid)
    still_open(ws2)
    for w in (ws, basic_ws, ws2):
        w.close()


def test_delete_one_session_of_a_user_cuts_only_that_session(g):
    alice = uid("alice")
    g.user("db1", alice)
    s1, _ = g.login("db1", alice)
    s2, _ = g.login("db1", alice)
    ws1, c1 = g.ws_session("db1", s1)
    ws2, c2 = g.ws_session("db1", s2)
    t = time.monotonic()
    r = g.gw("DELETE", f"/db1/_user/{alice}/_session/{s1}")
    assert r.status == 200, (r.status, r.body)
    g.cut_within(ws1, c1, "session_deleted", credential="session", user=alice, path="/db1/_blipsync", since=t)
    still_open(ws2)
    g.not_cut(c2)
    assert g.admin.valid_session(s2, "db1") is not None, "the fake deleted more than SG does"
    assert_unauthorized(g.attempt_session("db1", s1)[0])
    ws2b, _ = g.ws_session("db1", s2)
    still_open(ws2b)
    ws2.close()
    ws2b.close()


def test_delete_all_sessions_of_a_user_cuts_that_users_sessions_in_that_db(g):
    alice, bob = uid("alice"), uid("bob")
    pw1 = g.user("db1", alice)
    g.user("db2", alice)
    g.user("db1", bob)
    s1, _ = g.login("db1", alice)
    s2, _ = g.login("db1", alice)
    # A session created at SG by someone else (not through curfew): curfew learns its user at the handshake.
    s_direct = g.admin.create_session(alice, db="db1")
    s_db2, _ = g.login("db2", alice)
    s_bob, _ = g.login("db1", bob)
    doomed = [g.ws_session("db1", s) for s in (s1, s2, s_direct)]
    basic_ws, basic_conn = g.ws_basic("db1", alice, pw1)     # Basic is not a session: it stays
    ws_db2, c_db2 = g.ws_session("db2", s_db2)
    ws_bob, c_bob = g.ws_session("db1", s_bob)

    t = time.monotonic()
    r = g.gw("DELETE", f"/db1/_user/{alice}/_session")
    assert r.status == 200, (r.status, r.body)
    for ws, conn in doomed:
        g.cut_within(ws, conn, "session_deleted", credential="session", user=alice, path="/db1/_blipsync",
                     since=t)
    for ws in (basic_ws, ws_db2, ws_bob):
        still_open(ws)
    g.not_cut(basic_conn, c_db2, c_bob)
    for s in (s1, s2, s_direct):
        assert_unauthorized(g.attempt_session("db1", s)[0])
    for ws in (basic_ws, ws_db2, ws_bob):
        ws.close()


def test_delete_user_cuts_all_of_that_users_connections_in_that_db_only(g):
    alice, bob = uid("alice"), uid("bob")
    pw1 = g.user("db1", alice)
    pw2 = g.user("db2", alice)
    g.user("db1", bob)
    s1, _ = g.login("db1", alice)
    s2, _ = g.login("db2", alice)
    sb, _ = g.login("db1", bob)
    ws_s1, c_s1 = g.ws_session("db1", s1)
    ws_b1, c_b1 = g.ws_basic("db1", alice, pw1)
    ws_s2, c_s2 = g.ws_session("db2", s2)
    ws_b2, c_b2 = g.ws_basic("db2", alice, pw2)
    ws_bob, c_bob = g.ws_session("db1", sb)

    t = time.monotonic()
    r = g.gw("DELETE", f"/db1/_user/{alice}")
    assert r.status == 200, (r.status, r.body)
    g.cut_within(ws_s1, c_s1, "user_deleted", credential="session", user=alice, path="/db1/_blipsync", since=t)
    g.cut_within(ws_b1, c_b1, "user_deleted", credential="basic", user=alice, path="/db1/_blipsync", since=t)
    for ws in (ws_s2, ws_b2, ws_bob):
        still_open(ws)
    g.not_cut(c_s2, c_b2, c_bob)
    ev = g.cf.wait_for_event("sg_admin", lambda e: e.get("action") == "delete_user" and e.get("user") == alice)
    assert (ev["db"], ev["cut"]) == ("db1", 2), ev
    assert_unauthorized(g.attempt_session("db1", s1)[0])
    g.refused(g.attempt_basic("db1", alice, pw1)[0])
    ws_again, _ = g.ws_basic("db2", alice, pw2)     # alice of db2 is another user
    still_open(ws_again)
    for ws in (ws_s2, ws_b2, ws_bob, ws_again):
        ws.close()


@pytest.mark.parametrize("form", ["keyspace", "encoded", "trailing_slash"])
def test_paths_are_read_as_sg_reads_them(g, form):
    # A user name that needs escaping in a path; SG decodes each segment.
    alice = uid("al ice@example.com") if form == "encoded" else uid("alice")
    g.admin.put_user("db1", alice, "pw-direct")
    s1, _ = g.login("db1", alice) if form != "encoded" else (g.admin.create_session(alice, db="db1"), 0)
    s2 = g.admin.create_session(alice, db="db1")
    ws1, c1 = g.ws_session("db1", s1)
    ws2, c2 = g.ws_session("db1", s2)
    name = quote(alice, safe="")
    path = {"keyspace": f"/db1.inventory.items/_session/{s1}",
            "encoded": f"/db1/_user/{name}/_session/{s1}",
            "trailing_slash": f"/db1/_session/{s1}/"}[form]
    if form == "encoded":
        assert "%40" in path and "%20" in path, path
    t = time.monotonic()
    r = g.gw("DELETE", path)
    assert r.status == 200, (r.status, r.body)
    g.cut_within(ws1, c1, "session_deleted", credential="session", user=alice, path="/db1/_blipsync", since=t)
    still_open(ws2)
    g.not_cut(c2)
    if form == "encoded":
        # And the whole user, by its encoded name: the other session's connection goes as user_deleted.
        t = time.monotonic()
        assert g.gw("DELETE", f"/db1/_user/{name}/").status == 200
        g.cut_within(ws2, c2, "user_deleted", credential="session", user=alice, path="/db1/_blipsync", since=t)
    else:
        ws2.close()


def test_server_level_paths_are_never_a_database(g):
    alice = uid("alice")
    g.user("db1", alice)
    sid, _ = g.login("db1", alice)
    ws, conn = g.ws_session("db1", sid)
    mark = g.cf.mark()
    # Shapes that look like admin calls but address no database; the fake answers 200 to /_fakesg/status/200.
    for method, path in (("DELETE", f"/_fakesg/status/200/_session/{sid}"), ("DELETE", "/_fakesg/status/200")):
        r = g.gw(method, path)
        assert r.status == 200, (r.status, r.body)
    time.sleep(PROMPT / 2)
    still_open(ws)
    g.not_cut(conn)
    assert g.cf.events_named("sg_admin", since=mark) == []
    ws.close()


def test_password_change_cuts_sessions_and_basic_and_refuses_them_after(g):
    alice, bob = uid("alice"), uid("bob")
    old_pw = g.user("db1", alice)
    pw2 = g.user("db2", alice)
    bob_pw = g.user("db1", bob)
    s1, _ = g.login("db1", alice)
    s2, _ = g.login("db2", alice)
    ws_s1, c_s1 = g.ws_session("db1", s1)
    ws_b1, c_b1 = g.ws_basic("db1", alice, old_pw)
    ws_s2, c_s2 = g.ws_session("db2", s2)
    ws_b2, c_b2 = g.ws_basic("db2", alice, pw2)
    ws_bob, c_bob = g.ws_basic("db1", bob, bob_pw)

    mark = g.cf.mark()
    r = g.gw("PUT", f"/db1/_user/{alice}", {"admin_channels": ["a", "b"]})   # no password: nothing to do
    assert r.status == 200, (r.status, r.body)
    time.sleep(PROMPT / 2)
    still_open(ws_s1)
    still_open(ws_b1)
    assert g.cf.events_named("sg_admin", since=mark) == []

    new_pw = "pw-new-" + uid("x")
    t = time.monotonic()
    r = g.gw("PUT", f"/db1/_user/{alice}", {"password": new_pw})
    assert r.status == 200, (r.status, r.body)
    g.cut_within(ws_s1, c_s1, "password_changed", credential="session", user=alice, path="/db1/_blipsync", since=t)
    g.cut_within(ws_b1, c_b1, "password_changed", credential="basic", user=alice, path="/db1/_blipsync", since=t)
    for ws in (ws_s2, ws_b2, ws_bob):
        still_open(ws)
    g.not_cut(c_s2, c_b2, c_bob)

    assert_unauthorized(g.attempt_session("db1", s1)[0])
    g.refused(g.attempt_basic("db1", alice, old_pw)[0])
    ws_new, _ = g.ws_basic("db1", alice, new_pw)       # the new password works
    s_new, _ = g.login("db1", alice)                    # and so does a new login
    ws_new_s, _ = g.ws_session("db1", s_new)
    still_open(ws_new)
    still_open(ws_new_s)
    g.cf.assert_no_secrets(old_pw, new_pw)
    for ws in (ws_s2, ws_b2, ws_bob, ws_new, ws_new_s):
        ws.close()


def test_post_user_with_a_password_counts_too(g):
    alice = uid("alice")
    g.user("db1", alice)
    sid, _ = g.login("db1", alice)
    ws, conn = g.ws_session("db1", sid)
    t = time.monotonic()
    r = g.gw("POST", f"/db1/_user/{alice}", {"password": "pw-posted"})
    assert r.status == 200, (r.status, r.body)
    g.cut_within(ws, conn, "password_changed", credential="session", user=alice, path="/db1/_blipsync", since=t)


def test_disable_cuts_and_curfew_refuses_the_old_session_sg_would_accept(g):
    alice = uid("alice")
    pw = g.user("db1", alice)
    pw2 = g.user("db2", alice)
    sid, _ = g.login("db1", alice)
    ws_s, c_s = g.ws_session("db1", sid)
    ws_b, c_b = g.ws_basic("db1", alice, pw)
    ws_2, c_2 = g.ws_basic("db2", alice, pw2)
    t = time.monotonic()
    r = g.gw("PUT", f"/db1/_user/{alice}", {"disabled": True})
    assert r.status == 200, (r.status, r.body)
    g.cut_within(ws_s, c_s, "user_disabled", credential="session", user=alice, path="/db1/_blipsync", since=t)
    g.cut_within(ws_b, c_b, "user_disabled", credential="basic", user=alice, path="/db1/_blipsync", since=t)
    still_open(ws_2)
    g.not_cut(c_2)
    # SG still vouches for the session of a disabled user (sg-facts §1.2): curfew itself must refuse it.
    assert g.admin.valid_session(sid, "db1") is not None
    r, marker = g.attempt_session("db1", sid)
    assert_unauthorized(r)
    assert not g.env.sg_saw(marker), "the disabled user's old session reached SG"
    g.refused(g.attempt_basic("db1", alice, pw)[0])
    assert g.gw("POST", "/db1/_session", {"name": alice}).status == 400   # SG: "User is disabled"
    ws_2.close()


# -- the pass-through is transparent -----------------------------------------------------------------

def _raw_request(port: int, raw: bytes) -> bytes:
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(raw)
        out = b""
        while b"\r\n\r\n" not in out:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        head, _, body = out.partition(b"\r\n\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body
    finally:
        s.close()


def _fields(head: bytes) -> list[tuple[str, str]]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines if line)]


HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}


def test_the_pass_through_changes_nothing_sg_receives_or_answers(g):
    body = json.dumps({"name": "x", "nested": {"a": [1, 2, 3]}, "pad": "é" * 50}).encode()
    target = "/_fakesg/status/207?opt=1&b=%2F"
    headers = [("Host", "sg-admin.internal:4985"), ("Authorization", ADMIN_AUTH), ("X-Custom", "keep  me"),
               ("Content-Type", "application/json; charset=utf-8"), ("Accept", "*/*"),
               ("Content-Length", str(len(body)))]
    raw = (f"POST {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n").encode() + body
    before = len(g.admin.requests)
    via_curfew = _raw_request(g.gateway_port, raw)
    direct = _raw_request(g.admin.port, raw)
    got = [r for r in g.admin.requests[before:]]
    assert len(got) == 2, got
    through, straight = got
    assert through.method == "POST" and through.target == target
    assert through.body == body == straight.body
    # What SG received: the same fields in the same order, values byte for byte; nothing added.
    assert _fields(through.raw_head) == _fields(straight.raw_head), (through.raw_head, straight.raw_head)
    assert not any(k.startswith("x-forwarded") or k == "forwarded" or k == "via" for k, _ in _fields(through.raw_head))
    assert through.head.get("Authorization") == ADMIN_AUTH, "admin credentials must pass through"
    # What the app server got back: SG's status, fields and body (hop-by-hop framing aside).
    h1, _, b1 = via_curfew.partition(b"\r\n\r\n")
    h2, _, b2 = direct.partition(b"\r\n\r\n")
    assert h1.split(b"\r\n")[0].split(b" ")[1] == b"207", h1
    assert h1.split(b"\r\n")[0] == h2.split(b"\r\n")[0]
    assert [f for f in _fields(h1) if f[0] not in HOP_BY_HOP] == [f for f in _fields(h2) if f[0] not in HOP_BY_HOP]
    assert b1 == b2 and json.loads(b1)["body_len"] == len(body)


def test_admin_credentials_pass_through_and_sg_judges_them(g):
    before = g.admin.unauthorized
    r = g.gw("GET", f"/db1/_user/{uid('nobody')}", auth=None)
    assert r.status == 401 and r.header("WWW-Authenticate") == 'Basic realm="Couchbase Sync Gateway"', r
    assert g.admin.unauthorized == before + 1, "the 401 must come from SG, not curfew"
    assert g.gw("GET", f"/db1/_user/{uid('nobody')}").status == 404


def test_create_session_answer_is_relayed_and_its_expiry_recorded(g):
    alice = uid("alice")
    g.user("db1", alice)
    t = time.time()
    r = g.gw("POST", "/db1/_session", {"name": alice, "ttl": 600})
    assert r.status == 200, (r.status, r.body)
    answer = json.loads(r.body)
    assert set(answer) == {"session_id", "expires", "cookie_name"}
    assert abs(parse_rfc3339(answer["expires"]) - (t + 600)) < 2
    assert g.admin.session(answer["session_id"]).expires == pytest.approx(parse_rfc3339(answer["expires"]), abs=0.01)
    ev = g.cf.wait_for_event("sg_session_created", lambda e: e.get("user") == alice)
    assert ev["db"] == "db1" and abs(parse_rfc3339(ev["expires"]) - parse_rfc3339(answer["expires"])) < 0.01, ev
    assert answer["session_id"] not in json.dumps(ev), "a session id in the log"


def test_a_login_right_after_a_password_change_is_not_refused(g):
    # A password reset that logs the user in at once: both calls often land in the same millisecond at curfew,
    # and the new session must not count as "from before the change". Repeated, because the race is timing.
    alice = uid("alice")
    g.user("db1", alice)
    for i in range(25):
        assert g.gw("PUT", f"/db1/_user/{alice}", {"password": f"pw-reset-{i}"}).status == 200
        sid, _ = g.login("db1", alice)
        ws, _ = g.ws_session("db1", sid)
        still_open(ws)
        ws.close()
