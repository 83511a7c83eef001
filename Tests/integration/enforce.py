"""Shared pieces for the enforcement tests (issue 3): signing keys and tokens, the config files curfew
reads (JWKS, HMAC secret, admin token, SG admin password), handshake attempts that may be refused,
the admin API client, Prometheus text parsing and cut-event checks.

Everything here is built from the contract, not from curfew's code: keys are made with
`cryptography`, tokens with PyJWT (or by hand where PyJWT refuses to make a bad token).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import shutil
import ssl
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from curfewproc import CurfewProcess, base_config, merge
from fakesg import FakeSG
from httpio import BufferedSock, Response, read_response
from wsclient import BLIP_OFFER, HTTPConn, WSClient, build_request, connect
from wsproto import new_client_key

ISSUER = "https://idp.test"
HMAC_ISSUER = "https://hmac.test"
AUDIENCE = "sync"
ADMIN_TOKEN = "adm-" + secrets.token_hex(16)
# Offered on every handshake here, without the SyncGatewaySession_ entry of wsclient.BLIP_OFFER: that
# entry is a credential of its own and would decide which credential curfew enforces.
BLIP_ONLY = "BLIP_3+CBMobile_4,BLIP_3+CBMobile_3"
ASYMMETRIC_ALGS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
HMAC_ALGS = ["HS256", "HS384", "HS512"]
CUT_FIELDS = ("conn", "user", "credential", "credential_id", "reason", "deadline", "lateness_ms",
              "close_lateness_ms", "how", "bytes_up", "bytes_down", "age_s", "remote", "path")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# -- keys and tokens --------------------------------------------------------------------------------

class Keys:
    """One key per asymmetric algorithm family (each with its own kid) plus an HMAC secret."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec256 = ec.generate_private_key(ec.SECP256R1())
        self.ec384 = ec.generate_private_key(ec.SECP384R1())
        self.ed = ed25519.Ed25519PrivateKey.generate()
        self.hmac_secret = secrets.token_bytes(48)
        # A key nobody published: signs "bad signature" and "unknown kid" tokens.
        self.stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    KIDS = {"RS256": "rsa-1", "RS384": "rsa-1", "RS512": "rsa-1", "PS256": "rsa-1",
            "ES256": "ec-256", "ES384": "ec-384", "EdDSA": "ed-1"}

    def private_for(self, alg: str):
        if alg.startswith(("RS", "PS")):
            return self.rsa
        return {"ES256": self.ec256, "ES384": self.ec384, "EdDSA": self.ed}.get(alg) or self.hmac_secret

    def rsa_public_pem(self) -> bytes:
        return self.rsa.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)

    def jwks(self) -> dict:
        keys = []
        for kid, algo, key in (("rsa-1", RSAAlgorithm, self.rsa), ("ec-256", ECAlgorithm, self.ec256),
                               ("ec-384", ECAlgorithm, self.ec384), ("ed-1", OKPAlgorithm, self.ed)):
            jwk = json.loads(algo.to_jwk(key.public_key()))
            jwk.update({"kid": kid, "use": "sig"})
            keys.append(jwk)
        return {"keys": keys}

    def claims(self, user: str, *, exp_in: float = 300, exp: int | None = None, iat: int | None = None, nbf: int | None = None,
               iss: str = ISSUER, aud: str | list[str] = AUDIENCE, jti: str | None = None,
               extra: dict | None = None) -> dict:
        now = int(time.time())
        c = {"iss": iss, "aud": aud, "sub": user, "iat": now if iat is None else iat,
             "exp": exp if exp is not None else int(now + exp_in), "jti": jti or uuid.uuid4().hex}
        if nbf is not None:
            c["nbf"] = nbf
        c.update(extra or {})
        return c

    def token(self, user: str, alg: str = "RS256", *, kid: str | None = None, key=None,
              **claim_kw) -> str:
        """A signed token. HS* tokens default to the HMAC issuer, the others to the JWKS issuer."""
        if alg.startswith("HS"):
            claim_kw.setdefault("iss", HMAC_ISSUER)
        headers = {} if alg.startswith("HS") else {"kid": kid or self.KIDS[alg]}
        return jwt.encode(self.claims(user, **claim_kw), key or self.private_for(alg), algorithm=alg,
                          headers=headers)

    @staticmethod
    def hand_made(header: dict, claims: dict, signer=None) -> str:
        """A token PyJWT will not make (alg none, HMAC keyed with a public key PEM)."""
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        sig = signer(signing_input.encode()) if signer else b""
        return f"{signing_input}.{b64url(sig)}"

    def hs256_with_rsa_public_pem(self, user: str) -> str:
        """The classic key-confusion attack: HS256 keyed with the RS256 public key's PEM text."""
        pem = self.rsa_public_pem()
        return self.hand_made({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, self.claims(user),
                              lambda m: hmac.new(pem, m, hashlib.sha256).digest())

    def alg_none(self, user: str) -> str:
        return self.hand_made({"alg": "none", "typ": "JWT"}, self.claims(user))


def jti_of(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["jti"]


# -- config -----------------------------------------------------------------------------------------

def write_files(directory: Path, keys: Keys, certs) -> None:
    """Everything the enforcement config references, relative to the config file's directory."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(certs.server_cert, directory / "server.pem")
    shutil.copy(certs.server_key, directory / "server.key")
    (directory / "jwks.json").write_text(json.dumps(keys.jwks()))
    (directory / "secret.bin").write_bytes(keys.hmac_secret)
    (directory / "admin.token").write_text(ADMIN_TOKEN + "\n")
    from fakesg import ADMIN_PASSWORD
    (directory / "admin.pw").write_text(ADMIN_PASSWORD + "\n")


def enforcement_config(sg: FakeSG, *, leeway: str = "0s", anonymous: str = "reject",
                       max_connection_age: str = "12h", basic_max_age: str = "1h",
                       recheck_interval: str = "1s", on_check_failure: str = "keep",
                       heartbeat: dict | None = None, admin: bool = True,
                       overrides: dict | None = None) -> dict:
    from fakesg import ADMIN_USER
    cfg = merge(base_config(sg.url), {
        "credentials": {
            "jwt": {"issuers": [
                {"issuer": ISSUER, "audiences": [AUDIENCE], "jwks_file": "jwks.json",
                 "algorithms": ASYMMETRIC_ALGS, "user_claim": "sub"},
                {"issuer": HMAC_ISSUER, "audiences": [AUDIENCE], "hmac_secret_file": "secret.bin",
                 "algorithms": HMAC_ALGS},
            ], "leeway": leeway},
            "session": {"cookie_name": "SyncGatewaySession", "recheck_interval": recheck_interval,
                        "max_age": "24h", "on_check_failure": on_check_failure},
            "basic": {"max_age": basic_max_age},
            "anonymous": anonymous,
        },
        "upstream": {"admin_url": sg.admin_url, "admin_username": ADMIN_USER,
                     "admin_password_file": "admin.pw"},
        "enforcement": {"max_connection_age": max_connection_age, "tick": "10ms", "close_code": 4001,
                        "close_grace": "1s"},
    })
    if heartbeat is not None:
        cfg["enforcement"]["heartbeat"] = heartbeat
    if admin:
        cfg["admin"] = {"address": "127.0.0.1:0", "token_file": "admin.token"}
    return merge(cfg, overrides)


@dataclass
class Env:
    """A fake SG and one curfew in front of it, with every enforcement file in place."""
    sg: FakeSG
    cf: CurfewProcess
    directory: Path
    keys: Keys
    ctx: ssl.SSLContext
    extra: dict = field(default_factory=dict)

    @classmethod
    def start(cls, binary: str, directory: Path, keys: Keys, certs, ctx: ssl.SSLContext,
              sg: FakeSG | None = None, env: dict | None = None, **cfg_kw) -> "Env":
        sg = sg or FakeSG().start()
        write_files(directory, keys, certs)
        cfg = enforcement_config(sg, **cfg_kw)
        listeners = ("public", "admin") if "admin" in cfg else ("public",)
        cf = CurfewProcess(binary, directory, cfg, env)
        try:
            cf.start(listeners)
        except BaseException:
            cf.stop()
            sg.stop()
            raise
        return cls(sg, cf, directory, keys, ctx)

    def stop(self) -> None:
        self.cf.stop()
        self.sg.stop()

    @property
    def admin_port(self) -> int:
        return self.cf.ports["admin"]

    # websocket handshakes -----------------------------------------------------------------------
    def ws(self, path: str = "/db/_blipsync", *, bearer: str | None = None,
           headers: list[tuple[str, str]] | None = None, protocols: str | None = BLIP_ONLY,
           ctx: ssl.SSLContext | None = None) -> tuple[WSClient, int]:
        """A websocket that must open (101); returns (client, conn id from `ws_open`)."""
        hdrs = list(headers or [])
        if bearer is not None:
            hdrs.append(("Authorization", f"Bearer {bearer}"))
        ws = WSClient.connect(self.cf.port, path, ctx=ctx or self.ctx, headers=hdrs, protocols=protocols)
        local_port = ws.sock.getsockname()[1]
        ev = self.cf.wait_for_event("ws_open",
                                    lambda e: str(e.get("remote", "")).endswith(f":{local_port}"))
        return ws, ev["conn"]

    def attempt(self, path: str = "/db/_blipsync", *, bearer: str | None = None,
                headers: list[tuple[str, str]] | None = None, protocols: str | None = BLIP_ONLY,
                ctx: ssl.SSLContext | None = None) -> Response:
        """A websocket handshake whose answer is read whole (used when it is expected to be refused).
        A 101 is closed at once and returned with an empty body."""
        hdrs = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                ("Sec-WebSocket-Key", new_client_key()), ("Sec-WebSocket-Version", "13")]
        if protocols is not None:
            hdrs.append(("Sec-WebSocket-Protocol", protocols))
        if bearer is not None:
            hdrs.append(("Authorization", f"Bearer {bearer}"))
        hdrs += headers or []
        sock = connect(self.cf.port, ctx=ctx or self.ctx)
        try:
            sock.sendall(build_request("GET", path, headers=hdrs, host=f"localhost:{self.cf.port}"))
            # read_response reads no body for a 101, and the whole body (the 401's JSON) otherwise
            return read_response(BufferedSock(sock))
        finally:
            sock.close()

    def rest(self, method: str, path: str, *, bearer: str | None = None,
             headers: list[tuple[str, str]] | None = None, body: bytes | None = None) -> Response:
        hdrs = list(headers or [])
        if bearer is not None:
            hdrs.append(("Authorization", f"Bearer {bearer}"))
        c = HTTPConn(self.cf.port, self.ctx)
        try:
            return c.request(method, path, headers=hdrs, body=body)
        finally:
            c.close()

    def heartbeat(self, *, bearer: str | None = None, headers: list[tuple[str, str]] | None = None) -> Response:
        return self.rest("POST", "/_curfew/heartbeat", bearer=bearer, headers=headers, body=b"")

    # admin API --------------------------------------------------------------------------------
    def admin(self, method: str, path: str, body: dict | bytes | None = None, *,
              token: str | None = ADMIN_TOKEN) -> Response:
        hdrs = []
        if token is not None:
            hdrs.append(("Authorization", f"Bearer {token}"))
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        if data is not None:
            hdrs.append(("Content-Type", "application/json"))
        c = HTTPConn(self.admin_port, None)
        try:
            return c.request(method, path, headers=hdrs, body=data if data is not None else
                             (b"" if method == "POST" else None))
        finally:
            c.close()

    def revoke(self, selector: dict) -> int:
        r = self.admin("POST", "/revoke", selector)
        assert r.status == 200, (r.status, r.body)
        return json.loads(r.body)["cut"]

    def metrics(self) -> "Metrics":
        r = self.admin("GET", "/metrics")
        assert r.status == 200, (r.status, r.body)
        return Metrics(r.body.decode())

    # SG-side checks ---------------------------------------------------------------------------
    def sg_saw(self, secret: str) -> bool:
        """Did any request reaching the fake SG carry this text (token, cookie, path marker)?"""
        with self.sg.cond:
            return any(secret.encode() in r.raw_head for r in self.sg.requests)


# -- checks -----------------------------------------------------------------------------------------

def assert_unauthorized(r: Response, reason_contains: str | None = None) -> dict:
    """The contract's refusal: 401, a WWW-Authenticate header, body {"error":"unauthorized","reason":…}."""
    assert r.status == 401, f"expected 401, got {r.status} {r.body[:200]!r}"
    assert r.header("WWW-Authenticate"), "401 without WWW-Authenticate"
    body = json.loads(r.body)
    assert body.get("error") == "unauthorized", body
    assert isinstance(body.get("reason"), str) and body["reason"], body
    if reason_contains is not None:
        assert reason_contains in body["reason"], f"reason {body['reason']!r} lacks {reason_contains!r}"
    return body


RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_rfc3339(text: str) -> float:
    assert RFC3339_RE.match(text), f"not RFC 3339: {text!r}"
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def check_cut_event(ev: dict, *, reason: str, credential: str, user: str | None = None,
                    path: str = "/db/_blipsync") -> None:
    missing = [k for k in CUT_FIELDS if k not in ev]
    assert missing == [], f"cut event lacks {missing}: {ev}"
    assert ev["reason"] == reason, ev
    assert ev["credential"] == credential, ev
    if user is not None:
        assert ev["user"] == user, ev
    assert ev["path"] == path, ev
    assert ev["how"] in ("close_frame", "tcp"), ev
    assert str(ev["remote"]).startswith("127.0.0.1:"), ev
    assert isinstance(ev["lateness_ms"], (int, float)) and ev["lateness_ms"] >= 0, ev
    # Sanity bound only: how late a cut may be belongs in benchmarks, not here.
    assert ev["lateness_ms"] < 1000, ev
    # Forwarding stops no later than the close is written.
    assert ev["close_lateness_ms"] >= ev["lateness_ms"], ev
    assert isinstance(ev["age_s"], (int, float)) and ev["age_s"] >= 0, ev
    parse_rfc3339(ev["deadline"])


def expect_cut_frame(ws: WSClient, reason: str, timeout: float) -> None:
    """The next frame is the cut: close code 4001, reason text `curfew: <reason>`."""
    f = ws.expect_close_frame(timeout=timeout, reply=True)
    assert (f.close_code(), f.close_reason()) == (4001, f"curfew: {reason}"), \
        (f.close_code(), f.close_reason())


def still_open(ws: WSClient, payload: bytes = b"still-here") -> None:
    from helpers import echo_ok
    echo_ok(ws, payload)


def wait_until(pred, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def sleep_past_second(t: float) -> None:
    """Sleep until the wall clock is in a later whole second than t (JWT iat has 1 s resolution)."""
    target = int(t) + 1
    while time.time() < target:
        time.sleep(max(0.01, target - time.time()))


# -- Prometheus text --------------------------------------------------------------------------------

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+\d+)?$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


class Metrics:
    def __init__(self, text: str) -> None:
        self.text = text
        self.samples: list[tuple[str, dict, float]] = []
        self.types: dict[str, str] = {}
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(None, 3)
                self.types[name] = kind.strip()
                continue
            if not line.strip() or line.startswith("#"):
                continue
            m = SAMPLE_RE.match(line)
            assert m, f"not a Prometheus sample line: {line!r}"
            labels = dict(LABEL_RE.findall(m.group(2) or ""))
            self.samples.append((m.group(1), labels, float(m.group(3))))

    def has_family(self, name: str) -> bool:
        return name in self.types or any(n == name or n.startswith(name + "_") for n, _, _ in self.samples)

    def value(self, name: str, **labels) -> float:
        """Sum of the samples named `name` whose labels include `labels`; 0 when there are none (a labelled
        counter with no series yet)."""
        return sum(v for n, lab, v in self.samples
                   if n == name and all(lab.get(k) == val for k, val in labels.items()))

    def count(self, name: str) -> int:
        return sum(1 for n, _, _ in self.samples if n == name)
