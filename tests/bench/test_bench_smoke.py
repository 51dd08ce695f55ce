"""The benchmark harness keeps working: a tiny `python -m bench.run --smoke` writes every key of latest.json.

Benchmarks are not tests: this only runs the harness on a handful of pages, into a temporary folder, so
bench/results/latest.json (the last real run) is never touched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stacks import REPO, require_services


@pytest.mark.stack
def test_smoke_run_writes_every_key(tmp_path: Path) -> None:
    from bench.run import TARGETS

    require_services()
    latest = REPO / "bench" / "results" / "latest.json"
    before = latest.stat().st_mtime_ns if latest.exists() else None
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--output-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hang, not a speed check: benchmarks measure speed
    )
    assert result.returncode == 0, result.stderr[-4000:]

    written = json.loads((tmp_path / "latest.json").read_text())
    assert written["meta"]["mode"] == "smoke"
    for key, target in TARGETS.items():
        entry = written[key]
        assert {"value", "target", "met"} <= entry.keys(), key
        assert "error" not in entry, f"{key}: {entry['error']}"
        if "skipped" in entry:  # only a missing peer may skip, e.g. ocrmypdf before bench/install-peers.sh
            assert key == "r1c_vs_ocrmypdf", f"{key}: {entry['skipped']}"
        else:
            assert isinstance(entry["value"], float | int), key
        if key != "ocr_cer":  # its bound is the measured baseline's CER + 0.5
            assert entry["target"] == target
    assert len(list(tmp_path.glob("2*Z.json"))) == 1  # the dated copy
    assert (latest.stat().st_mtime_ns if latest.exists() else None) == before
