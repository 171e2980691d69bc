"""The benchmark script runs end to end on tiny classes: a smoke run that keeps it from rotting.

It asserts that every measure was taken and that the grades match the generated mix, never
how fast anything was (speed is the benchmark's own business, see benchmarks/README.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_benchmark_takes_every_measure_and_grades_the_mix_as_generated(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--n", "12", "--assignments", "jhu-hw3",
         "--repeat", "1", "--naive-sample", "2", "--flat-sizes", "12,24", "--out", str(out)],
        capture_output=True, text=True, timeout=900, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    rows = {row["class"]: row for row in results["classes"]}
    assert set(rows) == {"jhu-hw3 .py", "jhu-hw3 .ipynb"}
    for name, row in rows.items():
        assert row["returncode"] == 0 and row["sandbox"] in ("bwrap", "none"), name
        for measure in ("per_s", "floor_per_s", "naive_per_s", "parent_peak_mb", "calib_ms"):
            assert row[measure] > 0, (name, measure)
        tally = row["mix"]["tally"]
        for category in ("correct", "wrong", "broken"):
            assert tally.get(f"{category} as expected") == tally.get(category), (name, row["mix"])
        assert sum(tally[c] for c in ("correct", "wrong", "broken")) == 12
    assert set(results["flatness"]["runs"]) == {"12", "24"} and results["flatness"]["parent_ratio"] > 0
    assert results["selftest"]["exit_codes"] == [0] * 5
    assert "parent peak ratio 24 / 12" in done.stdout
