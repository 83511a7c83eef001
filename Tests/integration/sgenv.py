"""Shared pieces for the Sync Gateway awareness tests (issue 4): an `Env` with curfew's `gateway_admin`
pass-through in front of the fake SG admin API, admin calls made through it (or straight at the fake, as
another app server would), session/Basic websockets, and cut checks.

The fake SG (fakesg.py) keeps users and sessions as SG does; `check_auth` is on here, so its public side
refuses what SG would refuse.
"""
from __future__ import annotations

import json
import time
import uuid

from enforce import (ADMIN_TOKEN, Env, assert_unauthorized, basic, check_cut_event, expect_cut_frame,
                     parse_rfc3339, still_open)
from fakesg import ADMIN_PASSWORD, ADMIN_USER
from httpio import Response
from wsclient import HTTPConn, WSClient

ADMIN_AUTH = basic(ADMIN_USER, ADMIN_PASSWORD)
# A generous bound for "at once": the 100 ms belongs in benchmarks, not in a test on a shared machine.
PROMPT = 2.0
GATEWAY = {"gateway_admin": {"address": "127.0.0.1:0"}}

__all__ = ["ADMIN_AUTH", "ADMIN_TOKEN", "GATEWAY", "PROMPT", "SGEnv", "assert_unauthorized", "check_cut_event",
           "expect_cut_frame", "parse_rfc3339", "still_open", "uid"]


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class SGEnv:
    """Wraps an `Env` started with `gateway_admin`; `start(env_factory, **kw)`."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.sg = env.sg
        self.admin = env.sg.admin
        self.cf = env.cf
        ev = env.cf.wait_for_event("listening", lambda e: e.get("listener") == "gateway_admin")
        host, _, port = ev["address"].rpartition(":")
        assert host == "127.0.0.1", ev
        self.gateway_port = int(port)
        self.sg.check_auth = True

    @classmethod
    def start(cls, factory, **kw) -> "SGEnv":
        overrides = dict(kw.pop("overrides", None) or {})
        overrides.update(GATEWAY)
        return cls(factory(overrides=overrides, **kw))

    def stop(self) -> None:
        self.env.stop()

    # admin calls ----------------------------------------------------------------------------------
    def gw(self, method: str, path: str, body: dict | bytes | None = None, *, auth: str | None = ADMIN_AUTH,
           headers: list[tuple[str, str]] | None = None) -> Response:
        """One call through curfew's gateway_admin pass-through (plain HTTP on loopback, as app servers do)."""
        hdrs = list(headers or [])
        if auth is not None:
            hdrs.append(("Authorization", auth))
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        if data is not None:
            hdrs.append(("Content-Type", "application/json"))
        c = HTTPConn(self.gateway_port, None)
        try:
            return c.request(method, path, headers=hdrs, body=data)
        finally:
            c.close()

    def user(self, db: str, name: str, password: str | None = None) -> str:
        """Creates the user at SG through the pass-through (as an app server would); returns the password."""
        password = password or "pw-" + uuid.uuid4().hex[:10]
        r = self.gw("PUT", f"/{db}/_user/{name}", {"password": password, "admin_channels": ["*"]})
        assert r.status == 201, (r.status, r.body)
        return password

    def login(self, db: str, name: str, ttl: int | None = None) -> tuple[str, float]:
        """`POST /{db}/_session` through the pass-through: (session id, expires as Unix seconds)."""
        body = {"name": name} if ttl is None else {"name": name, "ttl": ttl}
        r = self.gw("POST", f"/{db}/_session", body)
        assert r.status == 200, (r.status, r.body)
        answer = json.loads(r.body)
        assert answer["cookie_name"] == "SyncGatewaySession", answer
        return answer["session_id"], parse_rfc3339(answer["expires"])

    # client side -----------------------------------------------------------------------------------
    @staticmethod
    def cookie(sid: str) -> list[tuple[str, str]]:
        return [("Cookie", f"SyncGatewaySession={sid}")]

    def ws_session(self, db: str, sid: str) -> tuple[WSClient, int]:
        mark = self.cf.mark()
        try:
            return self.env.ws(f"/{db}/_blipsync", headers=self.cookie(sid))
        except AssertionError as exc:
            rejects = self.cf.events_named("reject", since=mark)
            raise AssertionError(f"{exc}; curfew rejects: {rejects}; SG refusals: {self.sg.auth_refused}") from None

    def ws_basic(self, db: str, name: str, password: str) -> tuple[WSClient, int]:
        return self.env.ws(f"/{db}/_blipsync", headers=[("Authorization", basic(name, password))])

    def attempt_session(self, db: str, sid: str) -> tuple[Response, str]:
        """A handshake with the cookie; returns (answer, marker) so callers can tell who refused it."""
        marker = uuid.uuid4().hex
        return self.env.attempt(f"/{db}/_blipsync?m={marker}", headers=self.cookie(sid)), marker

    def attempt_basic(self, db: str, name: str, password: str) -> tuple[Response, str]:
        marker = uuid.uuid4().hex
        return self.env.attempt(f"/{db}/_blipsync?m={marker}",
                                headers=[("Authorization", basic(name, password))]), marker

    # checks ----------------------------------------------------------------------------------------
    def cut_within(self, ws: WSClient, conn: int, reason: str, *, credential: str, user: str, path: str,
                   since: float, bound: float = PROMPT) -> dict:
        """The connection gets `curfew: <reason>` within `bound` seconds of `since`, and one cut line."""
        expect_cut_frame(ws, reason, timeout=bound + 3)
        elapsed = time.monotonic() - since
        assert elapsed < bound, f"cut {elapsed:.2f}s after the admin call (bound {bound}s)"
        ev = self.cf.wait_for_event("cut", lambda e: e.get("conn") == conn)
        check_cut_event(ev, reason=reason, credential=credential, user=user, path=path)
        assert len([e for e in self.cf.events_named("cut") if e.get("conn") == conn]) == 1, "more than one cut line"
        return ev

    @staticmethod
    def refused(r: Response) -> None:
        """A 401 from curfew or from SG (SG's own body is `{"error":"Unauthorized",…}`)."""
        assert r.status == 401, f"expected 401, got {r.status} {r.body[:200]!r}"
        assert r.header("WWW-Authenticate"), "401 without WWW-Authenticate"

    def not_cut(self, *conns: int) -> None:
        cut = [e for e in self.cf.events_named("cut") if e.get("conn") in conns]
        assert cut == [], f"connections cut that should stay: {cut}"
