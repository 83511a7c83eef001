"""Bearer JWTs at the websocket handshake and on REST requests, through the real binary: every
supported algorithm accepted; every kind of bad token refused with the contract's 401 before SG sees
it; credential-less requests refused only where the contract says (handshakes, streaming _changes)."""
from __future__ import annotations

import json
import time
import uuid

import pytest
from enforce import (ASYMMETRIC_ALGS, AUDIENCE, HMAC_ALGS, ISSUER, assert_unauthorized, still_open)


@pytest.fixture(scope="module")
def env(env_factory):
    e = env_factory(leeway="0s", anonymous="reject", admin=False)
    yield e
    e.stop()


@pytest.mark.parametrize("alg", ASYMMETRIC_ALGS + HMAC_ALGS)
def test_every_supported_algorithm_is_accepted(env, alg):
    user = f"user-{alg.lower()}"
    token = env.keys.token(user, alg)
    ws, conn = env.ws(bearer=token)
    still_open(ws, f"via {alg}".encode())
    ev = env.cf.wait_for_event("ws_open", lambda e: e.get("conn") == conn)
    assert ev.get("user") == user, ev
    # SG authenticates the same request itself: the header must reach it unchanged.
    s = next(s for s in env.sg.sessions if f"Bearer {token}".encode() in s.request.raw_head)
    assert s.request.head.get_all("Authorization") == [f"Bearer {token}"]
    ws.close()
    env.cf.assert_no_secrets(token)


def _bad_tokens(keys) -> dict[str, tuple[str, str]]:
    """name -> (token, the stable reason curfew's policy layer gives for it)."""
    now = int(time.time())
    good = keys.token("mallory", "RS256")
    head, payload, _sig = good.split(".")
    return {
        "expired": (keys.token("mallory", "RS256", exp_in=-60, iat=now - 600), "expired"),
        "not-yet-valid": (keys.token("mallory", "RS256", nbf=now + 120), "not_yet_valid"),
        "wrong-iss": (keys.token("mallory", "RS256", iss="https://evil.test"), "unknown_issuer"),
        "wrong-aud": (keys.token("mallory", "RS256", aud="not-sync"), "wrong_audience"),
        "bad-signature": (keys.token("mallory", "RS256", key=keys.stranger), "bad_signature"),
        "alg-none": (keys.alg_none("mallory"), "alg_none"),
        "hs256-with-rsa-public-pem": (keys.hs256_with_rsa_public_pem("mallory"), "alg_not_allowed"),
        "unknown-kid": (keys.token("mallory", "RS256", kid="who-knows", key=keys.stranger), "unknown_kid"),
        "truncated": (f"{head}.{payload[:len(payload) // 2]}", "malformed"),
        "oversized": (keys.token("mallory", "RS256", extra={"pad": "p" * 17 * 1024}), "token_too_large"),
    }


BAD = ["expired", "not-yet-valid", "wrong-iss", "wrong-aud", "bad-signature", "alg-none",
       "hs256-with-rsa-public-pem", "unknown-kid", "truncated", "oversized"]


@pytest.mark.parametrize("name", BAD)
def test_bad_token_is_refused_at_the_handshake(env, name):
    token, reason = _bad_tokens(env.keys)[name]
    if name == "oversized":
        assert len(token) > 16 * 1024
    sessions_before = len(env.sg.sessions)
    r = env.attempt(bearer=token)
    assert_unauthorized(r, reason)
    assert not env.sg_saw(token), "a refused handshake reached SG"
    assert len(env.sg.sessions) == sessions_before
    env.cf.assert_no_secrets(token)


def test_wrong_audience_among_several_and_issuer_mismatch_of_hmac(env):
    """aud may be a list: one matching entry is enough; an HS256 token claiming the JWKS issuer is refused
    (that issuer does not list HS256)."""
    ok = env.keys.token("aud-list", "ES256", aud=["other", AUDIENCE])
    ws, _ = env.ws(bearer=ok)
    still_open(ws)
    ws.close()
    cross = env.keys.token("cross", "HS256", iss=ISSUER)
    assert_unauthorized(env.attempt(bearer=cross))
    assert not env.sg_saw(cross)


def test_rest_with_expired_token_is_401_and_never_forwarded(env):
    token, _ = _bad_tokens(env.keys)["expired"]
    marker = f"/db/doc-{uuid.uuid4().hex[:8]}"
    assert_unauthorized(env.rest("GET", marker, bearer=token), "expired")
    assert env.sg.requests_to(marker) == []


def test_rest_with_valid_token_is_forwarded_unchanged(env):
    token = env.keys.token("rest-user", "PS256")
    marker = f"/db/doc-{uuid.uuid4().hex[:8]}"
    r = env.rest("GET", marker, bearer=token)
    assert r.status == 200, (r.status, r.body)
    req = env.sg.wait_for_request(lambda q: q.path == marker)
    assert req.head.get_all("Authorization") == [f"Bearer {token}"]


@pytest.mark.parametrize("method,path", [("GET", "/db/"), ("POST", "/db/_session"),
                                         ("GET", "/db/_changes"), ("GET", "/db/_changes?feed=normal")])
def test_plain_rest_without_a_credential_goes_to_sg(env, method, path):
    marker = uuid.uuid4().hex[:8]
    full = path + ("&" if "?" in path else "?") + f"m={marker}"
    r = env.rest(method, full, body=b'{"name":"a","password":"b"}' if method == "POST" else None,
                 headers=[("Content-Type", "application/json")] if method == "POST" else None)
    assert r.status == 200, (r.status, r.body)
    env.sg.wait_for_request(lambda q: marker in q.query, timeout=5)


def test_websocket_without_a_credential_is_401_when_anonymous_is_reject(env):
    marker = uuid.uuid4().hex
    assert_unauthorized(env.attempt(f"/db/_blipsync?m={marker}"))
    assert not env.sg_saw(marker)


@pytest.mark.parametrize("feed", ["continuous", "longpoll", "eventsource", "websocket"])
def test_streaming_changes_without_a_credential_is_401(env, feed):
    marker = uuid.uuid4().hex
    assert_unauthorized(env.rest("GET", f"/db/_changes?feed={feed}&m={marker}"))
    assert not env.sg_saw(marker)


def test_refusal_body_is_json_and_names_no_token(env):
    token, _ = _bad_tokens(env.keys)["bad-signature"]
    r = env.attempt(bearer=token)
    body = assert_unauthorized(r)
    assert token not in r.body.decode() and token.split(".")[2] not in json.dumps(body)
