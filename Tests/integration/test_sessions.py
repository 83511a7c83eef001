"""SG session credentials through the real binary: a websocket on a `SyncGatewaySession` cookie or a
`SyncGatewaySession_<id>` subprotocol entry opens when SG's admin API knows the session (the user is
`userCtx.name`, asked with the admin credentials); an unknown session is 401 and never reaches SG; a session
deleted at SG is cut at the next recheck (`session_deleted`); `POST /revoke` by session and by user cuts
session connections and refuses what was seen before it. The module's recheck_interval is 1s."""
from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from enforce import (BLIP_ONLY, assert_unauthorized, check_cut_event, expect_cut_frame, sleep_past_second,
                     still_open, wait_until)
from fakesg import ADMIN_PASSWORD


@pytest.fixture(scope="module")
def env(env_factory):
    e = env_factory(leeway="0s", recheck_interval="1s", admin=True)
    yield e
    e.stop()


def _user(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def cookie(sid: str) -> list[tuple[str, str]]:
    return [("Cookie", f"theme=dark; SyncGatewaySession={sid}")]


def subprotocols(sid: str) -> str:
    return f"{BLIP_ONLY},SyncGatewaySession_{sid}"


def _ws_cookie(env, sid: str, path: str = "/db/_blipsync"):
    return env.ws(path, headers=cookie(sid))


def _ws_subprotocol(env, sid: str, path: str = "/db/_blipsync"):
    return env.ws(path, protocols=subprotocols(sid))


def _sg_upgrade_with(env, marker: str):
    """The upgrade request that reached the fake SG for the handshake whose path carries `marker`."""
    return env.sg.wait_for_request(lambda r: marker in r.query)


def _cuts_of(env, conn: int) -> list[dict]:
    return [e for e in env.cf.events_named("cut") if e.get("conn") == conn]


def _row(env, conn: int) -> dict:
    r = env.admin("GET", "/connections")
    assert r.status == 200
    rows = [c for c in json.loads(r.body)["connections"] if c["id"] == conn]
    assert len(rows) == 1, rows
    return rows[0]


def _check_lookup(env, sid: str, db: str = "db") -> None:
    lookups = env.sg.admin.session_lookups(sid)
    assert lookups, "curfew never asked SG's admin API about the session"
    for req in lookups:
        assert req.method == "GET" and req.path == f"/{db}/_session/{sid}", (req.method, req.path)
        assert req.head.get("Authorization") == env.sg.admin.expected_auth, "admin credentials not sent"


def test_cookie_session_opens_as_the_sessions_user(env):
    user = _user("sess-cookie")
    sid = env.sg.admin.create_session(user)
    marker = uuid.uuid4().hex
    ws, conn = _ws_cookie(env, sid, f"/db/_blipsync?m={marker}")
    still_open(ws)
    ev = env.cf.wait_for_event("ws_open", lambda e: e.get("conn") == conn)
    assert ev.get("user") == user, ev
    _check_lookup(env, sid)
    assert env.sg.admin.unauthorized == 0
    # SG authenticates the upgrade itself: the cookie reaches it unchanged.
    up = _sg_upgrade_with(env, marker)
    assert up.head.get_all("Cookie") == [f"theme=dark; SyncGatewaySession={sid}"]
    row = _row(env, conn)
    assert (row["user"], row["credential"]) == (user, "session"), row
    assert row["credential_id"] and sid not in json.dumps(row), "the session id is a secret"
    ws.close()
    env.cf.assert_no_secrets(sid)


def test_subprotocol_session_opens_and_the_protocol_list_reaches_sg_unchanged(env):
    user = _user("sess-proto")
    sid = env.sg.admin.create_session(user)
    marker = uuid.uuid4().hex
    offered = subprotocols(sid)
    ws, conn = env.ws(f"/travel-sample/_blipsync?m={marker}", protocols=offered)
    still_open(ws)
    assert ws.response.header("Sec-WebSocket-Protocol") == "BLIP_3+CBMobile_4"
    ev = env.cf.wait_for_event("ws_open", lambda e: e.get("conn") == conn)
    assert ev.get("user") == user, ev
    _check_lookup(env, sid, db="travel-sample")   # asked about the database of the websocket
    up = _sg_upgrade_with(env, marker)
    assert up.head.get_all("Sec-WebSocket-Protocol") == [offered]
    assert _row(env, conn)["credential"] == "session"
    ws.close()
    env.cf.assert_no_secrets(sid)


@pytest.mark.parametrize("how", ["cookie", "subprotocol"])
def test_unknown_session_is_401_and_never_reaches_sg(env, how):
    sid = uuid.uuid4().hex + uuid.uuid4().hex[:8]   # never created at the fake admin API
    marker = uuid.uuid4().hex
    path = f"/db/_blipsync?m={marker}"
    r = env.attempt(path, headers=cookie(sid)) if how == "cookie" else env.attempt(path, protocols=subprotocols(sid))
    assert_unauthorized(r)
    assert not env.sg_saw(marker) and not env.sg_saw(sid)
    _check_lookup(env, sid)
    env.cf.assert_no_secrets(sid)


def test_deleted_session_is_cut_at_the_next_recheck_and_nothing_else(env):
    user = _user("sess-del")
    doomed = env.sg.admin.create_session(user)
    kept = env.sg.admin.create_session(user)      # another session of the same user
    w1, c1 = _ws_cookie(env, doomed)
    w2, c2 = _ws_subprotocol(env, doomed)
    w3, c3 = _ws_cookie(env, kept)
    w4, c4 = env.ws(bearer=env.keys.token(user, "RS256", exp_in=3600))   # same user, a JWT
    for ws in (w1, w2, w3, w4):
        still_open(ws)

    listed_id = _row(env, c1)["credential_id"]
    assert _row(env, c2)["credential_id"] == listed_id, "one session, one credential id"
    assert _row(env, c3)["credential_id"] != listed_id
    lookups_before = len(env.sg.admin.session_lookups(doomed))
    env.sg.admin.delete_session(doomed)
    deleted_at = time.time()
    for ws, conn in ((w1, c1), (w2, c2)):
        expect_cut_frame(ws, "session_deleted", timeout=6)   # recheck_interval 1s (+-10%), generously
        ev = env.cf.wait_for_event("cut", lambda e, c=conn: e.get("conn") == c)
        check_cut_event(ev, reason="session_deleted", credential="session", user=user)
        assert ev["credential_id"] == listed_id and doomed not in json.dumps(ev)
    assert time.time() - deleted_at < 6
    assert len(env.sg.admin.session_lookups(doomed)) > lookups_before, "cut without asking SG"
    _check_lookup(env, doomed)
    for ws, conn in ((w3, c3), (w4, c4)):
        still_open(ws, b"untouched")
        assert _cuts_of(env, conn) == []

    marker = uuid.uuid4().hex
    assert_unauthorized(env.attempt(f"/db/_blipsync?m={marker}", headers=cookie(doomed)))
    assert_unauthorized(env.attempt(f"/db/_blipsync?m={marker}", protocols=subprotocols(doomed)))
    # curfew knows the session is gone: plain REST with it is refused too, not left to SG.
    assert_unauthorized(env.rest("GET", f"/db/doc?m={marker}", headers=cookie(doomed)))
    assert not env.sg_saw(marker)
    # The other session is still rechecked and still fine.
    time.sleep(1.5)
    still_open(w3)
    assert _cuts_of(env, c3) == []
    for ws in (w3, w4):
        ws.close()
    env.cf.assert_no_secrets(doomed, kept)


def test_revoke_session_cuts_its_connections_and_refuses_it(env):
    user = _user("sess-rv")
    target = env.sg.admin.create_session(user)
    other = env.sg.admin.create_session(user)
    w1, c1 = _ws_cookie(env, target)
    w2, c2 = _ws_subprotocol(env, target)
    w3, c3 = _ws_cookie(env, other)
    assert env.revoke({"session": target}) == 2
    for ws, conn in ((w1, c1), (w2, c2)):
        expect_cut_frame(ws, "revoked", timeout=5)
        ev = env.cf.wait_for_event("cut", lambda e, c=conn: e.get("conn") == c)
        check_cut_event(ev, reason="revoked", credential="session", user=user)
    still_open(w3)
    assert _cuts_of(env, c3) == []

    # SG still knows the session, curfew refuses it: on the handshake and on plain REST.
    marker = uuid.uuid4().hex
    assert_unauthorized(env.attempt(f"/db/_blipsync?m={marker}", headers=cookie(target)), "revoked")
    assert_unauthorized(env.attempt(f"/db/_blipsync?m={marker}", protocols=subprotocols(target)), "revoked")
    assert_unauthorized(env.rest("GET", f"/db/doc?m={marker}", headers=cookie(target)), "revoked")
    assert not env.sg_saw(marker)
    w4, _ = _ws_cookie(env, other)
    still_open(w4)
    for ws in (w3, w4):
        ws.close()
    env.cf.assert_no_secrets(target, other)


def test_revoke_user_refuses_sessions_seen_before_and_a_new_login_works(env):
    user = _user("sess-rvu")
    old = env.sg.admin.create_session(user)
    ws, conn = _ws_cookie(env, old)
    assert env.revoke({"user": user}) == 1
    expect_cut_frame(ws, "revoked", timeout=5)
    check_cut_event(env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn),
                    reason="revoked", credential="session", user=user)
    revoked_at = time.time()
    assert_unauthorized(env.attempt(headers=cookie(old)), "revoked")
    sleep_past_second(revoked_at)   # "at or before the revocation's second" is refused; a later one is not
    fresh = env.sg.admin.create_session(user)   # a new login at SG after the revocation
    ws2, _ = _ws_cookie(env, fresh)
    still_open(ws2)
    ws2.close()


def test_admin_api_password_is_never_logged(env):
    # Every test above made lookups with the admin credentials; none of them may show up in the log.
    assert env.sg.admin.requests, "no admin API lookups happened"
    env.cf.assert_no_secrets(ADMIN_PASSWORD, env.sg.admin.expected_auth.split(" ", 1)[1])


@pytest.mark.parametrize("policy", ["keep", "cut"])
def test_admin_api_refusing_curfews_credentials_is_a_check_failure_not_a_401(start_env, policy):
    """SG's admin API answering 401 speaks about curfew's admin credentials, not the user's session: that is
    `on_check_failure` (keep: SG decides; cut: 503), never a 401 that would stop Couchbase Lite for good."""
    env = start_env(leeway="0s", admin=False, on_check_failure=policy,
                    overrides={"upstream": {"admin_username": "not-the-admin"}})
    sid = env.sg.admin.create_session(_user("sess-badadmin"))
    mark = env.cf.mark()
    r = env.attempt(headers=cookie(sid))
    assert r.status == (101 if policy == "keep" else 503), (r.status, r.body)
    assert env.sg.admin.unauthorized >= 1
    env.cf.wait_for_event("session_check_failed", since=mark)
    env.sg.admin.username = "not-the-admin"   # the fake now accepts what curfew sends: the session is fine
    env.sg.admin.expected_auth = "Basic " + base64.b64encode(f"not-the-admin:{ADMIN_PASSWORD}".encode()).decode()
    ws, _ = _ws_cookie(env, sid)   # not remembered as deleted
    still_open(ws)
    ws.close()


def test_lookups_carry_the_configured_admin_credentials(start_env):
    """Another admin_username: the lookups carry exactly the configured Basic credentials (so the other
    tests pass because of the config, not because any Authorization would do)."""
    env = start_env(leeway="0s", admin=False, overrides={"upstream": {"admin_username": "intruder"}})
    sid = env.sg.admin.create_session(_user("sess-creds"))
    env.attempt(headers=cookie(sid))
    lookups = wait_until(lambda: env.sg.admin.session_lookups(sid), 5, "a session lookup")
    expected = "Basic " + base64.b64encode(f"intruder:{ADMIN_PASSWORD}".encode()).decode()
    assert [r.head.get("Authorization") for r in lookups] == [expected] * len(lookups)
    assert env.sg.admin.unauthorized >= 1


def test_session_is_cut_at_session_max_age(start_env):
    env = start_env(leeway="0s", admin=False, recheck_interval="1h",
                    overrides={"credentials": {"session": {"max_age": "2s"}}})
    user = _user("sess-age")
    sid = env.sg.admin.create_session(user)
    opened = time.time()
    ws, conn = _ws_cookie(env, sid)
    still_open(ws)
    expect_cut_frame(ws, "credential_expired", timeout=6)
    assert time.time() - opened >= 1.8, "cut before session.max_age"
    ev = env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
    check_cut_event(ev, reason="credential_expired", credential="session", user=user)


def test_admin_api_down_with_keep_leaves_connections_alone(start_env):
    env = start_env(leeway="0s", admin=False, on_check_failure="keep")
    user = _user("sess-keep")
    sid = env.sg.admin.create_session(user)
    ws, conn = _ws_cookie(env, sid)
    env.sg.admin.down = True
    wait_until(lambda: env.sg.admin.refused >= 2, 6, "two failed rechecks")
    still_open(ws, b"kept through the outage")
    assert _cuts_of(env, conn) == []
    assert env.cf.events_named("session_check_failed"), "the failed checks were not logged"
    # A new handshake while SG's admin API is down: SG decides (the fake SG accepts the upgrade).
    ws2, _ = _ws_subprotocol(env, sid)
    still_open(ws2)
    env.sg.admin.down = False
    for w in (ws, ws2):
        w.close()


def test_admin_api_down_with_cut_fails_closed(start_env):
    env = start_env(leeway="0s", admin=False, on_check_failure="cut")
    user = _user("sess-cut")
    sid = env.sg.admin.create_session(user)
    ws, conn = _ws_cookie(env, sid)
    jwt_ws, jwt_conn = env.ws(bearer=env.keys.token(user, "RS256", exp_in=3600))
    env.sg.admin.down = True
    expect_cut_frame(ws, "session_check_failed", timeout=10)
    ev = env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
    check_cut_event(ev, reason="session_check_failed", credential="session", user=user)
    still_open(jwt_ws)
    assert _cuts_of(env, jwt_conn) == []
    # At a handshake: 503 (retried by Couchbase Lite), not 401 (which would stop it for good).
    marker = uuid.uuid4().hex
    r = env.attempt(f"/db/_blipsync?m={marker}", headers=cookie(sid))
    assert r.status == 503, (r.status, r.body)
    assert not env.sg_saw(marker)
    env.sg.admin.down = False
    jwt_ws.close()


def test_configured_cookie_name_is_the_session_cookie(start_env):
    env = start_env(leeway="0s", admin=False,
                    overrides={"credentials": {"session": {"cookie_name": "AppSession"}}})
    user = _user("sess-name")
    sid = env.sg.admin.create_session(user)
    ws, conn = env.ws(headers=[("Cookie", f"AppSession={sid}")])
    assert env.cf.wait_for_event("ws_open", lambda e: e.get("conn") == conn).get("user") == user
    still_open(ws)
    # Under the default name the cookie is not a credential here: an anonymous handshake, refused.
    marker = uuid.uuid4().hex
    assert_unauthorized(env.attempt(f"/db/_blipsync?m={marker}", headers=[("Cookie", f"SyncGatewaySession={sid}")]))
    assert not env.sg_saw(marker)
    ws.close()
