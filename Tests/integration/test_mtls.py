"""Client certificates (mTLS): `client_ca` + `client_certificate` on a listener; the certificate's notAfter is a
deadline of every connection made with it, whatever other credential the request carries."""
from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from enforce import assert_unauthorized, basic, check_cut_event, expect_cut_frame, parse_rfc3339, still_open
from wsclient import client_tls_context


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class ClientPKI:
    directory: Path
    ca_key: ec.EllipticCurvePrivateKey
    ca: x509.Certificate

    @classmethod
    def make(cls, directory: Path, cn: str = "curfew test client CA") -> "ClientPKI":
        now = dt.datetime.now(dt.timezone.utc)
        key = ec.generate_private_key(ec.SECP256R1())
        ca = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
              .public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .sign(key, hashes.SHA256()))
        directory.mkdir(parents=True, exist_ok=True)
        pki = cls(directory, key, ca)
        (directory / "clients.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        return pki

    @property
    def ca_file(self) -> str:
        return str(self.directory / "clients.pem")

    def client(self, cn: str, not_after: dt.datetime) -> tuple[str, str]:
        """A client certificate for CN=`cn`; returns (certificate file, key file)."""
        now = dt.datetime.now(dt.timezone.utc)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(self.ca.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(not_after)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                .sign(self.ca_key, hashes.SHA256()))
        stem = self.directory / f"{cn}-{int(not_after.timestamp())}"
        stem.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        stem.with_suffix(".key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return str(stem.with_suffix(".pem")), str(stem.with_suffix(".key"))


def _listener(pki: ClientPKI, mode: str) -> list[dict]:
    return [{"address": "127.0.0.1:0",
             "tls": {"certificate": "server.pem", "private_key": "server.key",
                     "client_ca": pki.ca_file, "client_certificate": mode}}]


def _ctx(certs, cert: tuple[str, str] | None) -> ssl.SSLContext:
    ctx = client_tls_context(str(certs.ca_cert), alpn=["http/1.1"])
    if cert:
        ctx.load_cert_chain(*cert)
    return ctx


def _in(seconds: int) -> dt.datetime:
    # Whole seconds: X.509 times have no fraction, so the deadline is exactly this instant.
    return dt.datetime.fromtimestamp(int(time.time()) + seconds, dt.timezone.utc)


def _handshake_refused(port: int, ctx: ssl.SSLContext) -> bool:
    """True when curfew refuses the TLS handshake. In TLS 1.3 the server's verdict on the client certificate
    arrives after the client thinks it is done, so a first read is needed to see it."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s = ctx.wrap_socket(raw, server_hostname="localhost")
    except (ssl.SSLError, ConnectionError):
        raw.close()
        return True
    try:
        s.sendall(b"GET /db/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
        return s.recv(1024) == b""
    except (ssl.SSLError, ConnectionError):
        return True
    finally:
        s.close()


def _request_on_resumed_session(port: int, ctx: ssl.SSLContext, session: ssl.SSLSession):
    """A websocket handshake on a TLS connection that resumes `session`; returns (response, resumed?)."""
    from httpio import BufferedSock, read_response
    from wsclient import build_request
    from wsproto import new_client_key
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    s = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
    try:
        s.sendall(build_request("GET", "/db/_blipsync", host=f"localhost:{port}", headers=[
            ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", new_client_key()),
            ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Protocol", "BLIP_3+CBMobile_3")]))
        return read_response(BufferedSock(s)), s.session_reused
    finally:
        s.close()


@pytest.fixture
def pki(tmp_path) -> ClientPKI:
    return ClientPKI.make(tmp_path / "client-pki")


def test_required_certificate_is_the_identity_and_its_not_after_cuts(start_env, certs, pki):
    env = start_env(overrides={"listeners": _listener(pki, "required")})
    not_after = _in(4)
    cert = pki.client("carol", not_after)
    ctx = _ctx(certs, cert)
    ws, conn = env.ws(ctx=ctx)
    still_open(ws)
    ticket = ws.sock.session  # a TLS 1.3 ticket has arrived by now (it comes with the first server data)
    ev = env.cf.wait_for_event("ws_open", lambda e: e.get("conn") == conn)
    assert ev["user"] == "carol"

    r = env.admin("GET", "/connections?user=carol")
    assert r.status == 200, r.body
    (row,) = json.loads(r.body)["connections"]
    assert row["credential"] == "cert" and row["deadline_cause"] == "certificate", row
    assert parse_rfc3339(row["deadline"]) == not_after.timestamp(), row

    expect_cut_frame(ws, "certificate_expired", timeout=not_after.timestamp() - time.time() + 3)
    assert time.time() >= not_after.timestamp() - 0.05, "cut before the certificate's notAfter"
    check_cut_event(env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn),
                    reason="certificate_expired", credential="cert", user="carol")
    # A full handshake with the lapsed certificate fails in OpenSSL's verification (a second on, past any
    # rounding of whole-second X.509 times)...
    time.sleep(max(0.0, not_after.timestamp() + 1.1 - time.time()))
    assert _handshake_refused(env.cf.port, _ctx(certs, cert))
    # ...but a resumed TLS session skips verification and brings the certificate back from its ticket:
    # curfew's own check refuses it.
    r, reused = _request_on_resumed_session(env.cf.port, ctx, ticket)
    assert reused, "curfew did not resume the TLS session (tickets are on)"
    assert_unauthorized(r, "certificate_expired")


def test_required_refuses_no_certificate_and_a_foreign_ca(start_env, certs, pki, tmp_path):
    env = start_env(overrides={"listeners": _listener(pki, "required")})
    assert _handshake_refused(env.cf.port, _ctx(certs, None))
    foreign = ClientPKI.make(tmp_path / "foreign", cn="someone else's CA")
    assert _handshake_refused(env.cf.port, _ctx(certs, foreign.client("mallory", _in(3600))))
    # and a good certificate still works on the same listener
    ws, _ = env.ws(ctx=_ctx(certs, pki.client("dave", _in(3600))))
    still_open(ws)
    ws.close()


def test_optional_certificate_caps_a_jwt_connection_and_absence_falls_back(start_env, certs, pki):
    env = start_env(overrides={"listeners": _listener(pki, "optional")})
    # no certificate: the other credentials decide
    assert_unauthorized(env.attempt(ctx=_ctx(certs, None)))
    ws_basic, _ = env.ws(headers=[("Authorization", basic("erin", "pw"))], ctx=_ctx(certs, None))
    still_open(ws_basic)

    # a certificate that lapses before the JWT does: the earlier deadline wins
    not_after = _in(3)
    token = env.keys.token("frank", "ES256", exp_in=3600)
    ws, conn = env.ws(bearer=token, ctx=_ctx(certs, pki.client("frank-device", not_after)))
    ev = env.cf.wait_for_event("ws_open", lambda e: e.get("conn") == conn)
    assert ev["user"] == "frank", "the JWT, not the certificate, names the user"
    expect_cut_frame(ws, "certificate_expired", timeout=not_after.timestamp() - time.time() + 3)
    check_cut_event(env.cf.wait_for_event("cut", lambda e: e.get("conn") == conn),
                    reason="certificate_expired", credential="jwt", user="frank")
    still_open(ws_basic, b"the basic connection was not touched")
    ws_basic.close()
    env.cf.assert_no_secrets(token)
