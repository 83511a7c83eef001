"""Deadlines fire: a JWT's exp, Basic max_age and max_connection_age cut the websocket with a 4001 close
frame and one `cut` log line; a streaming _changes response is closed at its deadline; a reconnect
with the lapsed credential is refused."""
from __future__ import annotations

import time

import pytest
from enforce import (assert_unauthorized, basic, check_cut_event, expect_cut_frame, jti_of,
                     parse_rfc3339, still_open)
from fakesg import CHANGES_FIRST
from httpio import PeerClosed, read_head
from wsclient import HTTPConn


@pytest.fixture(scope="module")
def env(env_factory):
    e = env_factory(leeway="0s", basic_max_age="2s", anonymous="reject", admin=False)
    yield e
    e.stop()


def test_jwt_is_cut_at_exp_and_cannot_reconnect(env):
    exp = int(time.time()) + 3
    token = env.keys.token("exp-user", "ES256", exp=exp)
    ws, conn = env.ws(bearer=token)
    sg_side = next(s for s in env.sg.sessions if token.encode() in s.request.raw_head)
    still_open(ws, b"x" * 500)
    expect_cut_frame(ws, "credential_expired", timeout=exp - time.time() + 3)
    cut_at = time.time()
    assert cut_at >= exp - 0.1, f"cut {exp - cut_at:.2f}s before exp"
    ev = env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn, since=0)
    check_cut_event(ev, reason="credential_expired", credential="jwt", user="exp-user")
    assert ev["credential_id"] == jti_of(token)
    assert ev["how"] == "close_frame"
    assert abs(parse_rfc3339(ev["deadline"]) - exp) < 0.5, (ev["deadline"], exp)  # exp + leeway 0s
    assert ev["bytes_up"] >= 500 and ev["bytes_down"] >= 500
    assert len([e for e in env.cf.events_named("cut") if e.get("conn") == conn]) == 1, "more than one cut line"
    sg_side.wait_closed(timeout=5)   # the upstream half goes too
    assert_unauthorized(env.attempt(bearer=token), "expired")
    env.cf.assert_no_secrets(token)


def test_basic_is_cut_at_max_age(env):
    password = "pw-" + "9f3e1c77"
    auth = basic("alice", password)
    opened = time.time()
    ws, conn = env.ws(headers=[("Authorization", auth)])
    still_open(ws)
    expect_cut_frame(ws, "credential_expired", timeout=6)
    assert time.time() - opened >= 1.9, "cut before basic.max_age (2s)"
    ev = env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
    check_cut_event(ev, reason="credential_expired", credential="basic", user="alice")
    assert password not in str(ev["credential_id"])
    env.cf.assert_no_secrets(password, auth.split(" ", 1)[1])


def test_streaming_changes_is_closed_at_the_deadline(env):
    exp = int(time.time()) + 3
    token = env.keys.token("changes-user", "RS256", exp=exp)
    c = HTTPConn(env.cf.port, env.ctx, timeout=10)
    try:
        c.send(f"GET /db/_changes?feed=continuous HTTP/1.1\r\nHost: localhost\r\n"
               f"Authorization: Bearer {token}\r\n\r\n".encode())
        head = read_head(c.bs)
        assert head.start_line.startswith("HTTP/1.1 200"), head.start_line
        size = int(c.bs.read_until(b"\r\n").strip(), 16)
        assert c.bs.read_exact(size + 2)[:-2] == CHANGES_FIRST
        # SG holds the rest back (changes_release is never set here): only curfew can end this stream.
        try:
            c.bs.read_to_eof()
        except PeerClosed:
            pass
        closed_at = time.time()
    finally:
        c.close()
    assert not env.sg.changes_release.is_set()
    assert closed_at >= exp - 0.1, "stream closed before its deadline"
    assert closed_at < exp + 5, "stream not closed at its deadline"


def test_max_connection_age_cuts_every_kind(start_env):
    env = start_env(max_connection_age="2s", anonymous="allow", admin=False)
    token = env.keys.token("aged", "EdDSA", exp_in=3600)
    anon, anon_conn = env.ws()
    jwt_ws, jwt_conn = env.ws(bearer=token)
    opened = time.time()
    still_open(anon)
    still_open(jwt_ws)
    for ws in (anon, jwt_ws):
        expect_cut_frame(ws, "max_age", timeout=6)
    assert time.time() - opened >= 1.8, "cut before max_connection_age"
    ev = env.cf.wait_for_event("cut", lambda e: e.get("conn") == anon_conn)
    check_cut_event(ev, reason="max_age", credential="none")
    ev = env.cf.wait_for_event("cut", lambda e: e.get("conn") == jwt_conn)
    check_cut_event(ev, reason="max_age", credential="jwt", user="aged")
    assert ev["age_s"] >= 1.5
