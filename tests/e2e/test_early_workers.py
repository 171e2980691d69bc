"""``grader check`` starts its workers before the heavy imports, and a wrong guess costs no grade."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader import pipeline
from grader.assignments import uses_torch
from grader.sandbox.pool import Pool
from tests.conftest import EXAMPLES, ROOT

# Runs `grader check` on the bundled jhu-hw3 examples and prints, for each pool started, its
# torch flag and which heavy modules the grader had imported by then.
PROBE = """
import json, sys
from grader.sandbox import pool
seen = []
original = pool.Pool.__init__
def spy(self, *args, **kwargs):
    seen.append({"torch": kwargs["torch"], "loaded": [m for m in ("numpy", "pydantic", "torch") if m in sys.modules]})
    original(self, *args, **kwargs)
pool.Pool.__init__ = spy
from grader import cli
code = cli.main(["check", sys.argv[1], "--out", sys.argv[2], "--seed", "1", "--no-progress", "--format", "json"])
print(json.dumps({"code": code, "pools": seen}), file=sys.stderr)
"""


def test_guess_reads_the_rubric_files(tmp_path: Path) -> None:
    assert uses_torch("nyu-hw1") is True
    assert uses_torch("jhu-hw3") is False
    assert uses_torch("mit-backprop") is False
    assert uses_torch("no-such-assignment") is False
    custom = tmp_path / "custom.toml"
    custom.write_text('assignment = "jhu-hw3"\nsolutions = { theory = "jhu_hw3", implementation = "mine" }\n')
    assert uses_torch("jhu-hw3", custom) is False  # an implementation part in numpy needs no torch
    custom.write_text('assignment = "jhu-hw3"\n[[questions]]\n[[questions.rows]]\n[[questions.rows.items]]\n'
                      'args = [{ name = "x", type = "tensor" }]\n')
    assert uses_torch("jhu-hw3", custom) is True
    custom.write_text("assignment = [unclosed\n")
    assert uses_torch("jhu-hw3", custom) is False  # load_rubric reports the error
    assert uses_torch("jhu-hw3", tmp_path / "missing.toml") is False


def test_workers_start_before_the_rubric_models_are_imported(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, str(EXAMPLES / "jhu-hw3"), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    result = json.loads(done.stderr.strip().splitlines()[-1])
    assert result["code"] == 0, done.stderr
    assert result["pools"] == [{"torch": False, "loaded": []}]


@pytest.mark.torch
def test_a_wrong_guess_restarts_the_workers_with_torch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    started: list[bool] = []
    original = Pool.__init__

    def spy(self: Pool, *args: object, torch: bool, **kwargs: object) -> None:
        started.append(torch)
        original(self, *args, torch=torch, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Pool, "__init__", spy)
    monkeypatch.setattr(pipeline, "_guess_torch", lambda opts, named: False)
    out = tmp_path / "out"
    opts = pipeline.CheckOptions(paths=[EXAMPLES / "nyu-hw1"], out=out, seed=1, progress=False, fmt="json")
    assert pipeline.check(opts, stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert started == [False, True]
    report = json.loads((out / "report.json").read_text())
    marie = next(s for s in report["submissions"] if s["student"] == "marie_curie")
    assert marie["points"] == 92.0 and marie["not_gradable_points"] == 0.0
