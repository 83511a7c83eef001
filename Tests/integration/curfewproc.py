"""Launching the real `curfew` binary and watching its JSON-lines log."""
from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def base_config(upstream_url: str) -> dict:
    """The config shape from the contract. Cert paths are relative: they resolve against the
    config file's directory, which is where the fixture copies them."""
    return {
        "workers": 2,
        "listeners": [{"address": "127.0.0.1:0",
                       "tls": {"certificate": "server.pem", "private_key": "server.key"}}],
        "upstream": {"url": upstream_url, "connect_timeout": "2s"},
        "enforcement": {"close_code": 4001, "close_grace": "1s", "shutdown_grace": "3s"},
        "log": {"format": "json", "level": "debug"},
        "limits": {"header_timeout": "2s"},
    }


def merge(base: dict, overrides: dict | None) -> dict:
    """Deep merge for dicts; lists and scalars replace; a value of None deletes the key."""
    out = copy.deepcopy(base)
    for k, v in (overrides or {}).items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


class CurfewProcess:
    def __init__(self, binary: str, workdir: Path, config: dict | str, env: dict | None = None):
        self.binary = binary
        self.workdir = workdir
        self.config_path = workdir / "curfew.json5"
        self.write_config(config)
        self.env = dict(os.environ)
        self.env.pop("CURFEW_TEST_HOOKS", None)
        self.env.update(env or {})
        self.cond = threading.Condition()
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self.events: list[dict] = []
        self.bad_lines: list[str] = []
        self.ports: dict[str, int] = {}
        self.proc: subprocess.Popen | None = None
        self._readers: list[threading.Thread] = []

    # config -------------------------------------------------------------------------------------
    def write_config(self, config: dict | str) -> None:
        text = config if isinstance(config, str) else json.dumps(config, indent=2)
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.config_path)  # atomic: a SIGHUP never sees half a file

    # process ------------------------------------------------------------------------------------
    def start(self, listeners: tuple[str, ...] = ("public",), timeout: float = 10.0) -> "CurfewProcess":
        self.proc = subprocess.Popen([self.binary, "run", "--config", str(self.config_path)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env, cwd=self.workdir)
        for stream, sink, parse in ((self.proc.stdout, self.stdout_lines, True),
                                    (self.proc.stderr, self.stderr_lines, False)):
            t = threading.Thread(target=self._drain, args=(stream, sink, parse), daemon=True)
            t.start()
            self._readers.append(t)
        deadline = time.monotonic() + timeout
        for name in listeners:
            ev = self.wait_for_event("listening", lambda e, n=name: e.get("listener") == n,
                                     timeout=max(0.0, deadline - time.monotonic()))
            host, _, port = ev["address"].rpartition(":")
            assert host == "127.0.0.1", f"listener bound to {ev['address']}"
            self.ports[name] = int(port)
        return self

    def _drain(self, stream, sink: list[str], parse: bool) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                sink.append(line)
                if parse and line.strip():
                    try:
                        ev = json.loads(line)
                        if isinstance(ev, dict):
                            self.events.append(ev)
                        else:
                            self.bad_lines.append(line)
                    except ValueError:
                        self.bad_lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    @property
    def port(self) -> int:
        return self.ports["public"]

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        rc = self.proc.wait(timeout=timeout)
        for t in self._readers:
            t.join(2)
        return rc

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=8)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    # logs ---------------------------------------------------------------------------------------
    def mark(self) -> int:
        """Index into `events`; pass as `since` to only look at later events."""
        with self.cond:
            return len(self.events)

    def events_named(self, name: str, since: int = 0) -> list[dict]:
        with self.cond:
            return [e for e in self.events[since:] if e.get("event") == name]

    def wait_for_event(self, name: str, pred=None, timeout: float = 5.0, since: int = 0) -> dict:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for e in self.events[since:]:
                    if e.get("event") == name and (pred is None or pred(e)):
                        return e
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                if self.proc is not None and self.proc.poll() is not None and \
                        all(not t.is_alive() for t in self._readers):
                    break
                self.cond.wait(min(remaining, 0.1))
        raise AssertionError(
            f"no {name!r} event within {timeout}s (alive={self.alive()}).\n"
            f"last events: {self.events[-8:]}\nstderr: {self.stderr_lines[-5:]}")

    def output(self) -> str:
        with self.cond:
            return "\n".join(self.stdout_lines + self.stderr_lines)

    def assert_no_secrets(self, *secrets: str) -> None:
        out = self.output()
        for s in secrets:
            assert s not in out, "a credential value appeared in curfew's output"


def run_cli(binary: str, args: list[str], cwd: Path, timeout: float = 10.0,
            env: dict | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, timeout=timeout, env=e,
                          stdin=subprocess.DEVNULL, text=True)
