"""TLS termination: TLS 1.2 and 1.3 handshakes, ALPN http/1.1, certificate from the config."""
from __future__ import annotations

import json
import socket
import ssl

import pytest
from wsclient import HTTPConn, client_tls_context


@pytest.mark.parametrize("version,name", [(ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                                          (ssl.TLSVersion.TLSv1_3, "TLSv1.3")])
def test_handshake_versions_and_alpn(curfew, certs, version, name):
    ctx = client_tls_context(str(certs.ca_cert), alpn=["h2", "http/1.1"],
                             min_version=version, max_version=version)
    c = HTTPConn(curfew.port, ctx)
    try:
        assert c.sock.version() == name
        # h2 is offered first: curfew must still pick http/1.1, the only protocol it speaks.
        assert c.sock.selected_alpn_protocol() == "http/1.1"
        r = c.request("GET", "/db/")
        assert r.status == 200 and json.loads(r.body)["path"] == "/db/"
    finally:
        c.close()


def test_serves_the_configured_certificate(curfew, certs):
    """Verification against the test CA with hostname checks on (both names are in the SAN)."""
    for host in ("localhost", "127.0.0.1"):
        ctx = client_tls_context(str(certs.ca_cert))
        raw = socket.create_connection(("127.0.0.1", curfew.port), timeout=5)
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            cert = s.getpeercert()
            assert ("commonName", "localhost") in [t[0] for t in cert["subject"]]


def test_no_alpn_offered_still_works(curfew, certs):
    ctx = client_tls_context(str(certs.ca_cert))
    c = HTTPConn(curfew.port, ctx)
    try:
        assert c.sock.selected_alpn_protocol() is None
        assert c.request("GET", "/db/").status == 200
    finally:
        c.close()


def test_plaintext_http_on_tls_port_is_not_served(curfew, fake_sg):
    """A plain-HTTP request to the TLS listener must not reach SG."""
    import socket
    s = socket.create_connection(("127.0.0.1", curfew.port), timeout=5)
    try:
        s.sendall(b"GET /db/plain HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = s.recv(4096)
        except (ConnectionError, socket.timeout):
            data = b""
        assert not data.startswith(b"HTTP/1.1 200")
    finally:
        s.close()
    assert fake_sg.requests_to("/db/plain") == []
