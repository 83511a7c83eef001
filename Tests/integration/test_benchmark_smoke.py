"""The benchmark's smoke mode (Benchmarks/run --smoke): every metric once, small, against the real binaries.

The full benchmark is too long and too noisy for the test command; this proves that each of its measurements still
runs and yields a number, so that docs/performance.md can be reproduced. It asserts no timing: figures on a shared
2-core machine say nothing in a test, they belong to the benchmark's table.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
METRICS = ["bulk_up", "bulk_down", "echo", "handshake", "rest", "idle_memory", "cut_lateness", "revoke", "engine",
           "wheel"]


@pytest.fixture(scope="module")
def smoke(curfew_bin, tmp_path_factory):
    bin_dir = Path(curfew_bin).parent
    for tool in ("curfew-bench", "curfew-engine-bench"):
        if not (bin_dir / tool).exists():
            pytest.fail(f"{tool} is not built next to {curfew_bin} (swift build -c release builds it)")
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run([sys.executable, str(ROOT / "Benchmarks/run"), "--smoke", "--no-build", "--bin-dir",
                           str(bin_dir), "--out", str(out)], capture_output=True, text=True, timeout=600)
    results = sorted(out.glob("*/results.json"))
    return done, json.loads(results[-1].read_text()) if results else {}


def test_smoke_run_succeeds(smoke):
    done, _ = smoke
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| metric | unit |" in done.stdout


@pytest.mark.parametrize("metric", METRICS)
def test_every_metric_yields_a_number_for_curfew(smoke, metric):
    _, results = smoke
    samples = results.get(metric, {}).get("curfew", [])
    assert samples, f"no {metric} sample for curfew"
    assert all(isinstance(s.get("value"), (int, float)) for s in samples), samples


@pytest.mark.parametrize("metric", ["bulk_up", "bulk_down", "echo", "handshake", "rest"])
def test_direct_baseline_is_measured(smoke, metric):
    _, results = smoke
    assert results.get(metric, {}).get("direct"), f"no direct {metric} sample"


def test_cut_lateness_cuts_every_connection_once(smoke):
    _, results = smoke
    sample = results["cut_lateness"]["curfew"][0]
    assert sample["opened"] > 0
    assert sample["cut"] == sample["opened"] and sample["missed"] == 0, sample
    assert sample["still_open"] == 0, sample


def test_revoke_closes_every_connection_of_the_user(smoke):
    _, results = smoke
    sample = results["revoke"]["curfew"][0]
    assert sample["opened"] > 0 and sample["closed"] == sample["opened"], sample


def test_engine_never_cuts_early_and_misses_none(smoke):
    _, results = smoke
    sample = results["engine"]["curfew"][0]
    assert sample["early"] == 0 and sample["missed"] == 0 and sample["cut"] == sample["connections"], sample
