"""The wheel ships the engine and the rubrics, never the reference; the public API is small."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import grader
from grader.report import RunReport
from tests.conftest import ROOT

SCHEMA = ROOT / "docs" / "report-schema.json"


def test_public_api() -> None:
    assert grader.__all__ == ["__version__", "check"]


def test_report_schema_document_is_current() -> None:
    current = json.dumps(RunReport.model_json_schema(), indent=2) + "\n"
    if os.environ.get("REGENERATE_SCHEMA") == "1":
        SCHEMA.write_text(current)
    assert SCHEMA.read_text() == current, "run with REGENERATE_SCHEMA=1 to update docs/report-schema.json"


@pytest.mark.slow
def test_wheel_contains_grader_and_rubrics_but_no_solutions(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("backprop_grader-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "grader/cli.py" in names and "grader/harness/child.py" in names
    assert {"grader/_rubrics/jhu-hw3.toml", "grader/_rubrics/mit-backprop.toml", "grader/_rubrics/nyu-hw1.toml"} <= set(names)
    assert not [n for n in names if n.startswith(("solutions", "tests/", "examples/")) or "/solutions/" in n]
    reference = {p.read_bytes() for p in (ROOT / "solutions").glob("*.py")}
    with zipfile.ZipFile(wheel) as bundle:
        assert not [n for n in names if bundle.read(n) in reference]
