"""SG session expiry as SG keeps it, seen through curfew: the `expires` of a session created through the
pass-through is its deadline; sliding `Set-Cookie` (on REST answers and on the 101) moves it; a session SG
deletes directly is cut at the next recheck; the admin API going down follows `on_check_failure`; a flood
of bogus session cookies keeps the session table within `table_size`, one SG lookup per id."""
from __future__ import annotations

import email.utils
import threading
import time
import uuid

import pytest
from enforce import BLIP_ONLY
from httpio import BufferedSock, read_response
from sgenv import (SGEnv, assert_unauthorized, check_cut_event, expect_cut_frame, parse_rfc3339,
                   still_open, uid)
from wsclient import HTTPConn, build_request
from wsproto import new_client_key


@pytest.fixture(scope="module")
def g(env_factory):
    # A long recheck_interval: here only deadlines may cut.
    e = SGEnv.start(env_factory, recheck_interval="60s")
    yield e
    e.stop()


def _cookie_expiry(set_cookie: str) -> float:
    attrs = dict(p.strip().partition("=")[::2] for p in set_cookie.split(";")[1:])
    return email.utils.parsedate_to_datetime(attrs["Expires"]).timestamp()


def test_created_sessions_expiry_is_its_deadline(g):
    alice = uid("alice")
    g.user("db1", alice)
    g.admin.sliding = False   # SG would slide on the handshake if it came late; this test is about `expires`
    try:
        sid, expires = g.login("db1", alice, ttl=3)
        long_sid, _ = g.login("db1", alice, ttl=3600)
        ws, conn = g.ws_session("db1", sid)
        ws_long, conn_long = g.ws_session("db1", long_sid)
        still_open(ws)
        expect_cut_frame(ws, "credential_expired", timeout=expires - time.time() + 3)
        cut_at = time.time()
        assert cut_at >= expires - 0.1, f"cut {expires - cut_at:.2f}s before the session's expires"
        ev = g.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
        check_cut_event(ev, reason="credential_expired", credential="session", user=alice, path="/db1/_blipsync")
        assert abs(parse_rfc3339(ev["deadline"]) - expires) < 0.01, (ev["deadline"], expires)
        still_open(ws_long)
        g.not_cut(conn_long)
        ws_long.close()
    finally:
        g.admin.sliding = True


def test_sliding_set_cookie_on_a_relayed_answer_moves_the_deadline(g):
    alice = uid("alice")
    g.user("db1", alice)
    sid, first_expiry = g.login("db1", alice, ttl=4)
    ws, conn = g.ws_session("db1", sid)
    time.sleep(max(0.0, first_expiry - 4 + 2.0 - time.time()))   # well past 10 % of the TTL
    c = HTTPConn(g.env.cf.port, g.env.ctx)
    try:
        r = c.request("GET", "/db1/some-doc", headers=g.cookie(sid))
    finally:
        c.close()
    assert r.status == 200, (r.status, r.body)
    set_cookie = r.header("Set-Cookie")
    assert set_cookie and set_cookie.startswith(f"SyncGatewaySession={sid};"), f"SG's Set-Cookie not relayed: {r.head.raw!r}"
    assert "Path=/db1/" in set_cookie
    new_expiry = _cookie_expiry(set_cookie)
    assert new_expiry > first_expiry + 0.9, (new_expiry, first_expiry)
    # Past the first expiry: the connection is still there.
    time.sleep(max(0.0, first_expiry + 0.3 - time.time()))
    still_open(ws, b"slid")
    g.not_cut(conn)
    expect_cut_frame(ws, "credential_expired", timeout=new_expiry - time.time() + 3)
    assert time.time() >= new_expiry - 0.1
    ev = g.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
    check_cut_event(ev, reason="credential_expired", credential="session", user=alice, path="/db1/_blipsync")
    assert abs(parse_rfc3339(ev["deadline"]) - new_expiry) < 0.01, (ev["deadline"], new_expiry)
    g.cf.assert_no_secrets(sid)


def test_a_101_with_set_cookie_gives_the_connection_the_slid_deadline(g):
    alice = uid("alice")
    g.user("db1", alice)
    sid, first_expiry = g.login("db1", alice, ttl=3)
    time.sleep(max(0.0, first_expiry - 3 + 2.0 - time.time()))
    ws, conn = g.ws_session("db1", sid)
    set_cookie = ws.response.header("Set-Cookie")
    assert set_cookie and set_cookie.startswith(f"SyncGatewaySession={sid};"), ws.response.head.raw
    new_expiry = _cookie_expiry(set_cookie)
    assert new_expiry > first_expiry + 0.9
    time.sleep(max(0.0, first_expiry + 0.3 - time.time()))
    still_open(ws)
    expect_cut_frame(ws, "credential_expired", timeout=new_expiry - time.time() + 3)
    ev = g.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
    assert abs(parse_rfc3339(ev["deadline"]) - new_expiry) < 0.01, (ev["deadline"], new_expiry)


# -- rechecks --------------------------------------------------------------------------------------

def test_a_session_deleted_directly_at_sg_is_cut_at_the_next_recheck(start_env):
    g = SGEnv(start_env(recheck_interval="1s", overrides={"gateway_admin": {"address": "127.0.0.1:0"}}))
    alice = uid("alice")
    g.user("db1", alice)
    doomed, _ = g.login("db1", alice)
    kept = g.admin.create_session(alice, db="db1")      # made at SG by another app server
    ws, conn = g.ws_session("db1", doomed)
    ws_kept, conn_kept = g.ws_session("db1", kept)
    lookups = len(g.admin.session_lookups(doomed))
    g.admin.delete_session(doomed)                      # at SG, not through curfew
    t = time.monotonic()
    expect_cut_frame(ws, "session_deleted", timeout=1.1 + 3)
    assert time.monotonic() - t < 1.1 + 2, "not cut at the next recheck"
    ev = g.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
    check_cut_event(ev, reason="session_deleted", credential="session", user=alice, path="/db1/_blipsync")
    assert len(g.admin.session_lookups(doomed)) > lookups, "cut without asking SG"
    still_open(ws_kept)
    g.not_cut(conn_kept)
    # Rechecks go on for the session that lives, about once per interval (±10 %), not more.
    n0 = len(g.admin.session_lookups(kept))
    time.sleep(3.3)
    n = len(g.admin.session_lookups(kept)) - n0
    assert 2 <= n <= 4, f"{n} rechecks in 3.3 s with recheck_interval 1s"
    ws_kept.close()


def test_admin_api_down_with_keep_keeps_connections_and_warns(start_env):
    g = SGEnv(start_env(recheck_interval="1s", on_check_failure="keep",
                        overrides={"gateway_admin": {"address": "127.0.0.1:0"}}))
    alice = uid("alice")
    g.user("db1", alice)
    sid, _ = g.login("db1", alice)
    ws, conn = g.ws_session("db1", sid)
    mark = g.cf.mark()
    g.admin.down = True
    try:
        time.sleep(4.5)
        still_open(ws, b"kept through the outage")
        g.not_cut(conn)
        warnings = [e for e in g.cf.events_named("session_check_failed", since=mark)]
        assert len(warnings) >= 3, warnings
        assert all(e["level"] == "warn" or e["level"] == "warning" for e in warnings), warnings
        assert all(e.get("policy") == "keep" for e in warnings), warnings
        assert g.admin.refused >= 3
    finally:
        g.admin.down = False
    time.sleep(1.5)
    still_open(ws)
    g.not_cut(conn)
    ws.close()


def test_admin_api_down_with_cut_cuts_after_three_failures(start_env):
    g = SGEnv(start_env(recheck_interval="1s", on_check_failure="cut",
                        overrides={"gateway_admin": {"address": "127.0.0.1:0"}}))
    alice = uid("alice")
    g.user("db1", alice)
    sid, _ = g.login("db1", alice)
    ws, conn = g.ws_session("db1", sid)
    mark = g.cf.mark()
    g.admin.down = True
    t = time.monotonic()
    expect_cut_frame(ws, "session_check_failed", timeout=3 * 1.1 + 4)
    elapsed = time.monotonic() - t
    assert elapsed > 1.8, f"cut after {elapsed:.2f}s: before three failed rechecks"
    ev = g.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
    check_cut_event(ev, reason="session_check_failed", credential="session", user=alice, path="/db1/_blipsync")
    failures = [e.get("failures") for e in g.cf.events_named("session_check_failed", since=mark)
                if e.get("session")]
    assert failures[:3] == [1, 2, 3], failures
    # And while it is down, a handshake on a session fails closed with 503 (CBL retries it), not 401.
    other, _ = g.env.attempt("/db1/_blipsync", headers=g.cookie(g.admin.create_session(alice, db="db1"))), None
    assert other.status == 503, (other.status, other.body)
    g.admin.down = False


# -- the session table is bounded ------------------------------------------------------------------

def _handshakes(port: int, ctx, ids: list[str]) -> list[int]:
    """Websocket handshakes on one keep-alive TLS connection, one per id; returns the statuses."""
    c = HTTPConn(port, ctx, timeout=15)
    statuses = []
    try:
        for sid in ids:
            hdrs = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", new_client_key()),
                    ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Protocol", BLIP_ONLY),
                    ("Cookie", f"SyncGatewaySession={sid}")]
            c.send(build_request("GET", "/db1/_blipsync", headers=hdrs, host=f"localhost:{port}"))
            r = read_response(c.bs)
            statuses.append(r.status)
            if r.header("Connection") == "close":
                c.close()
                c = HTTPConn(port, ctx, timeout=15)
    finally:
        c.close()
    return statuses


def test_a_flood_of_bogus_session_cookies_stays_within_table_size(start_env):
    g = SGEnv(start_env(recheck_interval="60s",
                        overrides={"gateway_admin": {"address": "127.0.0.1:0"},
                                   "credentials": {"session": {"table_size": 100}},
                                   "log": {"level": "info"}}))
    alice = uid("alice")
    g.user("db1", alice)
    sid, _ = g.login("db1", alice)
    ws, conn = g.ws_session("db1", sid)       # a real connection, opened before the flood
    before = len(g.admin.requests)

    bogus = [uuid.uuid4().hex + uuid.uuid4().hex[:8] for _ in range(10_000)]
    parts = [bogus[i::4] for i in range(4)]
    results: list[list[int]] = [[] for _ in parts]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = _handshakes(g.env.cf.port, g.env.ctx, parts[i])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    assert errors == [], errors
    statuses = [s for part in results for s in part]
    assert len(statuses) == 10_000 and set(statuses) == {401}, {s: statuses.count(s) for s in set(statuses)}

    lookups = [r.path.rsplit("/", 1)[1] for r in g.admin.requests[before:] if "/_session/" in r.path]
    assert sorted(lookups) == sorted(bogus), "each bogus id must be asked of SG exactly once"
    entries = g.env.metrics().value("curfew_session_table_entries")
    assert 0 < entries <= 100, entries

    # The same ids again within recheck_interval: the ones still in the table cost SG nothing.
    recent = [uuid.uuid4().hex for _ in range(50)]
    assert set(_handshakes(g.env.cf.port, g.env.ctx, recent)) == {401}
    n = len(g.admin.requests)
    assert set(_handshakes(g.env.cf.port, g.env.ctx, recent)) == {401}
    assert len(g.admin.requests) == n, "an unknown id was asked of SG twice within recheck_interval"
    assert g.env.metrics().value("curfew_session_table_entries") <= 100

    still_open(ws, b"survived the flood")
    g.not_cut(conn)
    ws.close()


def test_after_a_fail_closed_cut_a_new_outage_again_needs_three_failures(start_env):
    # Flapping admin API: cut after three failures, back up, the client reconnects, down again. The reconnect
    # starts a fresh count: one failed recheck must not cut it at once.
    g = SGEnv(start_env(recheck_interval="1s", on_check_failure="cut",
                        overrides={"gateway_admin": {"address": "127.0.0.1:0"}}))
    alice = uid("alice")
    g.user("db1", alice)
    sid, _ = g.login("db1", alice)
    ws, _ = g.ws_session("db1", sid)
    g.admin.down = True
    expect_cut_frame(ws, "session_check_failed", timeout=3 * 1.1 + 4)
    g.admin.down = False
    ws2, conn2 = g.ws_session("db1", sid)        # SG is back: the reconnect is checked and admitted
    still_open(ws2)
    g.admin.down = True
    t = time.monotonic()
    try:
        expect_cut_frame(ws2, "session_check_failed", timeout=3 * 1.1 + 4)
    finally:
        g.admin.down = False
    elapsed = time.monotonic() - t
    assert elapsed > 1.8, f"cut {elapsed:.2f}s into the second outage: before three failed rechecks"
