"""Fixtures: test PKI, the fake Sync Gateway, the real curfew process, TLS client contexts."""
from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from certs import CertPaths, make_certs  # noqa: E402
from curfewproc import CurfewProcess, base_config, merge  # noqa: E402
from fakesg import FakeSG  # noqa: E402
from wsclient import client_tls_context  # noqa: E402


def _curfew_binary() -> str | None:
    path = os.environ.get("CURFEW_BIN")
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return None


def pytest_collection_modifyitems(config, items):
    """Every test that uses a curfew fixture is skipped (loudly) without a usable CURFEW_BIN."""
    if _curfew_binary():
        return
    reason = (f"CURFEW_BIN unset or not an executable file (CURFEW_BIN={os.environ.get('CURFEW_BIN')!r}); "
              "set it to the curfew binary to run the integration tests")
    for item in items:
        if "curfew_bin" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def curfew_bin() -> str:
    path = _curfew_binary()
    if path is None:
        pytest.skip("CURFEW_BIN unset or not executable")
    return path


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> CertPaths:
    return make_certs(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tls_ctx(certs):
    """Client context trusting the test CA, offering ALPN http/1.1."""
    return client_tls_context(str(certs.ca_cert), alpn=["http/1.1"])


@pytest.fixture
def fake_sg():
    sg = FakeSG().start()
    yield sg
    sg.stop()


@pytest.fixture
def closed_port() -> int:
    """A 127.0.0.1 port with nothing listening (bound then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def curfew_dir(tmp_path, certs) -> Path:
    """A config directory holding server.pem/server.key (configs reference them relatively)."""
    d = tmp_path / "curfew"
    d.mkdir()
    shutil.copy(certs.server_cert, d / "server.pem")
    shutil.copy(certs.server_key, d / "server.key")
    return d


@pytest.fixture
def start_curfew(curfew_bin, curfew_dir, fake_sg):
    """Factory: start_curfew(overrides=None, env=None, upstream_url=None) -> running CurfewProcess.

    `overrides` deep-merges into the contract's base config; `env` adds environment variables
    (e.g. {"CURFEW_TEST_HOOKS": "1"}). Processes are stopped at teardown."""
    started: list[CurfewProcess] = []

    def start(overrides: dict | None = None, env: dict | None = None,
              upstream_url: str | None = None, listeners: tuple[str, ...] = ("public",)):
        cfg = merge(base_config(upstream_url or fake_sg.url), overrides)
        proc = CurfewProcess(curfew_bin, curfew_dir, cfg, env)
        started.append(proc)
        return proc.start(listeners)

    yield start
    for p in started:
        p.stop()


@pytest.fixture
def curfew(start_curfew):
    """curfew in front of the fake SG with the base config."""
    return start_curfew()


@pytest.fixture
def curfew_hooks(start_curfew):
    """curfew with CURFEW_TEST_HOOKS=1 (enables POST /_curfew/test/cut)."""
    return start_curfew(env={"CURFEW_TEST_HOOKS": "1"})


# -- enforcement (issue 3) -------------------------------------------------------------------------

from enforce import Env, Keys  # noqa: E402


@pytest.fixture(scope="session")
def jwt_keys() -> Keys:
    return Keys()


@pytest.fixture(scope="session")
def env_factory(curfew_bin, certs, tmp_path_factory, jwt_keys):
    """Factory: env_factory(**enforcement_config kwargs) -> Env (fake SG + admin API + curfew with the
    enforcement files). The caller stops it; module-scoped fixtures use this to share one process."""
    def make(**kw) -> Env:
        d = tmp_path_factory.mktemp("enf") / "curfew"
        ctx = client_tls_context(str(certs.ca_cert), alpn=["http/1.1"])
        return Env.start(curfew_bin, d, jwt_keys, certs, ctx, **kw)
    return make


@pytest.fixture
def start_env(env_factory):
    """Function-scoped env_factory: every Env started is stopped at teardown."""
    started: list[Env] = []

    def start(**kw) -> Env:
        e = env_factory(**kw)
        started.append(e)
        return e

    yield start
    for e in started:
        e.stop()
