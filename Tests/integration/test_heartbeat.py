"""The authenticated heartbeat (enforcement.heartbeat, timeout 2s): a user who stops proving a valid
credential loses every websocket and is refused until it heartbeats again; heartbeats keep connections
alive; a heartbeat with a later JWT moves the connection's credential deadline; the admin API can vouch."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
from enforce import (assert_unauthorized, check_cut_event, expect_cut_frame, parse_rfc3339,
                     still_open)

HEARTBEAT = {"timeout": "2s", "refresh_credentials": True}


@pytest.fixture(scope="module")
def env(env_factory):
    e = env_factory(leeway="0s", heartbeat=HEARTBEAT, admin=False)
    yield e
    e.stop()


def _no_cut(env, conn) -> None:
    assert [e for e in env.cf.events_named("cut") if e.get("conn") == conn] == [], "connection was cut"


class Heartbeater:
    """Sends heartbeats every `interval` on a thread until stopped; records the answers."""

    def __init__(self, send, interval: float = 0.5) -> None:
        self.send = send
        self.interval = interval
        self.stop_event = threading.Event()
        self.answers: list = []
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.answers.append((time.time(), self.send()))
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(exc)
            self.stop_event.wait(self.interval)

    def __enter__(self) -> "Heartbeater":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.thread.join(5)


def test_missed_heartbeat_cuts_and_locks_the_user_out_until_a_heartbeat(env):
    user = "hb-miss"
    token = env.keys.token(user, "RS256", exp_in=3600)
    opened = time.time()
    ws, conn = env.ws(bearer=token)
    still_open(ws)
    expect_cut_frame(ws, "heartbeat_missed", timeout=6)
    assert time.time() - opened >= 1.8, "cut before the heartbeat timeout"
    ev = env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
    check_cut_event(ev, reason="heartbeat_missed", credential="jwt", user=user)

    fresh = env.keys.token(user, "RS256", exp_in=3600)
    marker = uuid.uuid4().hex
    assert_unauthorized(env.attempt(f"/db/_blipsync?m={marker}", bearer=fresh))
    assert_unauthorized(env.rest("GET", f"/db/doc?m={marker}", bearer=fresh))
    assert not env.sg_saw(marker), "a request of a user owing a heartbeat reached SG"

    r = env.heartbeat(bearer=fresh)
    assert r.status == 204, (r.status, r.body)
    assert r.header("Curfew-Deadline") is None, "the user has no connections: no Curfew-Deadline"
    ws2, conn2 = env.ws(bearer=fresh)
    still_open(ws2)
    ws2.close()
    assert env.sg.requests_to("/_curfew/heartbeat") == [], "heartbeats must not reach SG"
    env.cf.assert_no_secrets(token, fresh)


def test_heartbeats_keep_the_connection_then_stopping_cuts_it(env):
    user = "hb-keep"
    token = env.keys.token(user, "ES384", exp_in=3600)
    ws, conn = env.ws(bearer=token)
    with Heartbeater(lambda: env.heartbeat(bearer=token)) as hb:
        time.sleep(3.5)  # well past the 2 s timeout
        still_open(ws, b"kept alive")
    assert hb.errors == [], hb.errors
    assert len(hb.answers) >= 5
    for sent_at, r in hb.answers:
        assert r.status == 204, (r.status, r.body)
        deadline = parse_rfc3339(r.header("Curfew-Deadline") or "")
        # earliest deadline of the user's connections: the heartbeat deadline, sent_at + 2 s at most
        assert sent_at - 1 <= deadline <= sent_at + 2 + 1, (sent_at, r.header("Curfew-Deadline"))
    _no_cut(env, conn)
    stopped = time.time()
    expect_cut_frame(ws, "heartbeat_missed", timeout=6)
    assert time.time() - stopped >= 1.0, "cut right after the last heartbeat, not at its timeout"


def test_heartbeat_with_an_invalid_credential_is_401(env):
    expired = env.keys.token("hb-bad", "RS256", exp_in=-30, iat=int(time.time()) - 300)
    assert_unauthorized(env.heartbeat(bearer=expired))
    assert_unauthorized(env.heartbeat(bearer=env.keys.token("hb-bad", "RS256", key=env.keys.stranger)))
    assert_unauthorized(env.heartbeat())
    r = env.heartbeat(bearer=env.keys.token("hb-nobody", "HS256"))
    assert r.status == 204 and r.header("Curfew-Deadline") is None
    assert env.sg.requests_to("/_curfew/heartbeat") == []


def test_refresh_moves_the_credential_deadline_to_the_new_exp(env):
    user = "hb-refresh"
    old_exp = int(time.time()) + 3
    new_exp = old_exp + 3
    old = env.keys.token(user, "RS256", exp=old_exp)
    new = env.keys.token(user, "RS256", exp=new_exp)
    ws, conn = env.ws(bearer=old)
    with Heartbeater(lambda: env.heartbeat(bearer=new)):
        time.sleep(max(0.0, old_exp - time.time()) + 1.0)
        still_open(ws, b"past the old exp")   # not cut at the old exp: no reconnect needed
        _no_cut(env, conn)
        expect_cut_frame(ws, "credential_expired", timeout=new_exp - time.time() + 3)
        cut_at = time.time()
    assert cut_at >= new_exp - 0.1, "cut before the refreshed exp"
    ev = env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
    check_cut_event(ev, reason="credential_expired", credential="jwt", user=user)
    assert abs(parse_rfc3339(ev["deadline"]) - new_exp) < 0.5, (ev["deadline"], new_exp)
    env.cf.assert_no_secrets(old, new)


def test_admin_heartbeat_counts(start_env):
    env = start_env(leeway="0s", heartbeat=HEARTBEAT, admin=True)
    user = "hb-admin"
    ws, conn = env.ws(bearer=env.keys.token(user, "PS256", exp_in=3600))
    before = env.metrics().value("curfew_heartbeats_total")
    with Heartbeater(lambda: env.admin("POST", "/heartbeat", {"user": user})) as hb:
        time.sleep(3.5)
        still_open(ws, b"vouched for")
    assert hb.errors == [] and hb.answers, hb.errors
    assert all(r.status == 204 for _, r in hb.answers), [(r.status, r.body) for _, r in hb.answers]
    _no_cut(env, conn)
    assert env.metrics().value("curfew_heartbeats_total") >= before + len(hb.answers)
    expect_cut_frame(ws, "heartbeat_missed", timeout=6)
