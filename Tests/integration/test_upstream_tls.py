"""An https Sync Gateway: curfew verifies its certificate (configured CA or the system's), sends SNI for a host
name (none for an IP literal, RFC 6066), checks the name, and gives up on a slow connect after connect_timeout."""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from helpers import echo_ok
from wsclient import HTTPConn, WSClient

BLIP = "BLIP_3+CBMobile_3"


class TLSRelay:
    """A TLS front for the plain fake SG: accepts TLS with the given certificate, records the SNI each client
    sent, and relays bytes both ways to the fake SG."""

    def __init__(self, cert_file: str, key_file: str, target_port: int) -> None:
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert_file, key_file)
        self.server_names: list[str | None] = []
        self.handshakes = 0
        self.ctx.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                raw, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        raw.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        self.handshakes += 1
        up = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)

        def pump(src, dst):
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pump, args=(up, tls), daemon=True).start()
        pump(tls, up)

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()


def _cert_for(directory: Path, names: list[str], ca_key=None, ca=None) -> tuple[str, str]:
    """A server certificate for `names` (DNS names or IP literals), signed by `ca` or self-signed."""
    now = dt.datetime.now(dt.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    sans = []
    for n in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            sans.append(x509.DNSName(n))
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject if ca else subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .sign(ca_key or key, hashes.SHA256()))
    stem = directory / ("-".join(names).replace(":", "_"))
    stem.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    stem.with_suffix(".key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(stem.with_suffix(".pem")), str(stem.with_suffix(".key"))


@pytest.fixture
def relay_factory(fake_sg):
    relays: list[TLSRelay] = []

    def make(cert: tuple[str, str]) -> TLSRelay:
        r = TLSRelay(*cert, fake_sg.port)
        relays.append(r)
        return r

    yield make
    for r in relays:
        r.stop()


def _get(port: int, ctx, path: str = "/db/"):
    c = HTTPConn(port, ctx)
    try:
        return c.request("GET", path)
    finally:
        c.close()


def test_https_upstream_with_configured_ca_and_sni(start_curfew, tls_ctx, certs, relay_factory, fake_sg):
    # certs.server_cert names localhost and 127.0.0.1 and is signed by the test CA.
    relay = relay_factory((str(certs.server_cert), str(certs.server_key)))
    cf = start_curfew({"upstream": {"ca": str(certs.ca_cert)}}, upstream_url=f"https://localhost:{relay.port}")
    r = _get(cf.port, tls_ctx)
    assert r.status == 200, (r.status, r.body)
    assert fake_sg.requests[-1].path == "/db/"
    ws = WSClient.connect(cf.port, "/db/_blipsync", ctx=tls_ctx, protocols=BLIP,
                          headers=[("Authorization", "Basic YWxpY2U6cHc=")])
    assert ws.response.header("Sec-WebSocket-Protocol") == BLIP
    echo_ok(ws, b"over https to SG")
    ws.close()
    assert relay.server_names and set(relay.server_names) == {"localhost"}, relay.server_names


def test_https_upstream_by_ip_sends_no_sni_and_checks_the_ip(start_curfew, tls_ctx, certs, relay_factory):
    relay = relay_factory((str(certs.server_cert), str(certs.server_key)))
    cf = start_curfew({"upstream": {"ca": str(certs.ca_cert)}}, upstream_url=f"https://127.0.0.1:{relay.port}")
    r = _get(cf.port, tls_ctx)
    assert r.status == 200, (r.status, r.body)
    assert relay.server_names == [None], relay.server_names


def test_https_upstream_with_the_wrong_name_is_502(start_curfew, tls_ctx, certs, relay_factory, tmp_path):
    # certs.py keeps no CA key, so this test signs with a CA of its own.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "upstream test CA")])
    now = dt.datetime.now(dt.timezone.utc)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))
    (tmp_path / "upstream-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    relay = relay_factory(_cert_for(tmp_path, ["sg.other.example"], ca_key, ca))
    cf = start_curfew({"upstream": {"ca": str(tmp_path / "upstream-ca.pem")}},
                      upstream_url=f"https://localhost:{relay.port}")
    r = _get(cf.port, tls_ctx)
    assert r.status == 502, (r.status, r.body)
    assert json.loads(r.body) == {"error": "bad_gateway"}
    ev = cf.wait_for_event("upstream_error")
    assert "localhost" in ev["upstream"], ev
    assert relay.handshakes == 0, "curfew finished a handshake with a certificate for another name"


def test_https_upstream_not_signed_by_a_trusted_ca_is_502(start_curfew, tls_ctx, certs, relay_factory):
    # No `ca`: the system CAs, which do not include the test CA.
    relay = relay_factory((str(certs.server_cert), str(certs.server_key)))
    cf = start_curfew(upstream_url=f"https://localhost:{relay.port}")
    r = _get(cf.port, tls_ctx)
    assert r.status == 502, (r.status, r.body)
    cf.wait_for_event("upstream_error")


def test_connect_timeout_gives_502(start_curfew, tls_ctx):
    # A listener that never accepts, with its accept queue filled: further SYNs are dropped, so curfew's connect
    # neither succeeds nor fails until connect_timeout.
    blackhole = socket.socket()
    blackhole.bind(("127.0.0.1", 0))
    blackhole.listen(0)
    fillers = []
    for _ in range(4):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(blackhole.getsockname())
        fillers.append(s)
    time.sleep(0.2)
    try:
        cf = start_curfew({"upstream": {"connect_timeout": "300ms"}},
                          upstream_url=f"http://127.0.0.1:{blackhole.getsockname()[1]}")
        started = time.monotonic()
        r = _get(cf.port, tls_ctx)
        waited = time.monotonic() - started
        assert r.status == 502, (r.status, r.body)
        # generous bounds: it waited for the timeout, and not for the kernel's own (minutes)
        assert 0.25 <= waited < 5, waited
    finally:
        for s in fillers:
            s.close()
        blackhole.close()
