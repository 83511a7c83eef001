"""The command line: check, run failures (exit 1, one stderr line), version, help."""
from __future__ import annotations

import json
import re
import socket

from curfewproc import base_config, merge, run_cli


def _write(curfew_dir, cfg) -> str:
    path = curfew_dir / "curfew.json5"
    path.write_text(cfg if isinstance(cfg, str) else json.dumps(cfg, indent=2))
    return str(path)


def _stderr_lines(res) -> list[str]:
    return [line for line in res.stderr.splitlines() if line.strip()]


def test_check_ok(curfew_bin, curfew_dir):
    path = _write(curfew_dir, base_config("http://127.0.0.1:4985"))
    res = run_cli(curfew_bin, ["check", "--config", path], curfew_dir)
    assert res.returncode == 0, res.stderr
    assert "config ok" in res.stdout


def test_check_accepts_json5(curfew_bin, curfew_dir):
    text = """// curfew config, JSON5 flavour
{
  workers: 2,
  listeners: [{ address: '127.0.0.1:0', tls: { certificate: "server.pem", private_key: "server.key" } }],
  upstream: { url: "http://127.0.0.1:4985", connect_timeout: "2s", },
  enforcement: { close_code: 4001, close_grace: "1s", shutdown_grace: "3s" },
  log: { format: "json", level: "debug" },
  limits: { header_timeout: "2s" },
}
"""
    res = run_cli(curfew_bin, ["check", "--config", _write(curfew_dir, text)], curfew_dir)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "config ok" in res.stdout


def test_check_syntax_error_names_file_and_line(curfew_bin, curfew_dir):
    text = """{
  workers: 2,
  listeners: [{ address: "127.0.0.1:0", tls: { certificate: "server.pem", private_key: "server.key" } }],
  upstream: { url: "http://127.0.0.1:4985" connect_timeout: "2s" },
}
"""
    res = run_cli(curfew_bin, ["check", "--config", _write(curfew_dir, text)], curfew_dir)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "curfew.json5" in out
    assert re.search(r"(line\s*4\b|:4\b)", out), f"line 4 not named in: {out!r}"
    assert "config ok" not in out


def test_check_unknown_key_names_key_path(curfew_bin, curfew_dir):
    cfg = merge(base_config("http://127.0.0.1:4985"), {"upstream": {"bogus_key": 1}})
    res = run_cli(curfew_bin, ["check", "--config", _write(curfew_dir, cfg)], curfew_dir)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert re.search(r"upstream\W{1,3}bogus_key", out), f"key path not named in: {out!r}"


def test_run_missing_certificate_exits_1_with_one_stderr_line(curfew_bin, curfew_dir):
    cfg = merge(base_config("http://127.0.0.1:4985"),
                {"listeners": [{"address": "127.0.0.1:0",
                                "tls": {"certificate": "missing.pem", "private_key": "server.key"}}]})
    res = run_cli(curfew_bin, ["run", "--config", _write(curfew_dir, cfg)], curfew_dir)
    assert res.returncode == 1, res.stderr
    lines = _stderr_lines(res)
    assert len(lines) == 1, lines
    assert "missing.pem" in lines[0]


def test_run_unreadable_key_exits_1_with_one_stderr_line(curfew_bin, curfew_dir):
    (curfew_dir / "garbage.key").write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n"
                                            "-----END PRIVATE KEY-----\n")
    cfg = merge(base_config("http://127.0.0.1:4985"),
                {"listeners": [{"address": "127.0.0.1:0",
                                "tls": {"certificate": "server.pem", "private_key": "garbage.key"}}]})
    res = run_cli(curfew_bin, ["run", "--config", _write(curfew_dir, cfg)], curfew_dir)
    assert res.returncode == 1, res.stderr
    assert len(_stderr_lines(res)) == 1, res.stderr


def test_run_port_in_use_exits_1(curfew_bin, curfew_dir):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port = blocker.getsockname()[1]
    try:
        cfg = merge(base_config("http://127.0.0.1:4985"),
                    {"listeners": [{"address": f"127.0.0.1:{port}",
                                    "tls": {"certificate": "server.pem", "private_key": "server.key"}}]})
        res = run_cli(curfew_bin, ["run", "--config", _write(curfew_dir, cfg)], curfew_dir)
    finally:
        blocker.close()
    assert res.returncode == 1, res.stderr
    assert len(_stderr_lines(res)) == 1, res.stderr


def test_run_with_bad_config_exits_2(curfew_bin, curfew_dir):
    cfg = merge(base_config("http://127.0.0.1:4985"), {"nonsense": True})
    res = run_cli(curfew_bin, ["run", "--config", _write(curfew_dir, cfg)], curfew_dir)
    assert res.returncode == 2, res.stderr
    assert "nonsense" in res.stdout + res.stderr


def test_version(curfew_bin, curfew_dir):
    res = run_cli(curfew_bin, ["version"], curfew_dir)
    assert res.returncode == 0
    assert re.search(r"\d+\.\d+", res.stdout), res.stdout


def test_help(curfew_bin, curfew_dir):
    res = run_cli(curfew_bin, ["--help"], curfew_dir)
    assert res.returncode == 0
    assert "run" in res.stdout + res.stderr
