"""An interrupted run resumes with its seed, reuses what it finished, and ends equal to an
uninterrupted one.

200 cheap submissions (copies of the reference, some with an honest mistake) are graded once
without interruption (report A). The same command in another output folder is killed with
SIGKILL once about half of them are in results.jsonl, then run again without --seed (report B).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from grader.store import LOCK
from tests.hostile import _support as hs

pytestmark = pytest.mark.slow

COUNT = 200
SEED = 424242
MISTAKES = {
    0: b"",
    1: b"\nQ2B_GRADS = -Q2B_GRADS\n",
    2: b'\nQ2D_TREND = "vanishing"\n',
    3: b"\nQ1B_W_NEW = Q1B_W_NEW_MEAN\n",
}


def _make_class(folder: Path) -> None:
    folder.mkdir()
    reference = hs.reference_text()
    for i in range(COUNT):
        (folder / f"student_{i:03d}.py").write_bytes(reference + MISTAKES[i % len(MISTAKES)])


def _complete_lines(path: Path) -> int:
    """Lines of results.jsonl that a resumed run can use: whole, and valid JSON with a key."""
    if not path.exists():
        return 0
    count = 0
    for line in path.read_bytes().splitlines(keepends=True):
        if not line.endswith(b"\n"):
            continue
        try:
            count += bool(json.loads(line).get("key"))
        except ValueError:
            continue
    return count


def _kill_halfway(command: list[str], results: Path, env: dict[str, str], cwd: Path) -> int:
    """Start ``command``; SIGKILL it once ``results`` has about half the submissions."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    deadline = time.monotonic() + 120
    try:
        while _complete_lines(results) < COUNT // 2:
            assert proc.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    return proc.returncode


def test_interrupted_run_resumes_to_the_same_report(tmp_path: Path) -> None:
    class_dir = tmp_path / "class"
    _make_class(class_dir)
    before = hs.tree_digest(class_dir)
    common = ("--timeout", hs.TIMEOUT, "--jobs", "2")
    env = hs.grader_env(TMPDIR=str(tmp_path))

    full = hs.run_check([class_dir], tmp_path / "a", "--seed", str(SEED), *common, env=env)
    assert full.returncode == 0, full.stderr[-2000:]
    assert full.summary() == (COUNT, COUNT, 0)

    out = tmp_path / "b"
    code = _kill_halfway(hs.check_command([class_dir], out, "--seed", str(SEED), *common),
                         out / "results.jsonl", env, tmp_path)
    assert code == -signal.SIGKILL
    state = json.loads((out / "run.json").read_text())
    assert (state["state"], state["seed"]) == ("running", SEED)
    done_before = _complete_lines(out / "results.jsonl")
    assert COUNT // 2 <= done_before < COUNT

    resumed = hs.run_check([class_dir], out, *common, env=env)  # no --seed: the interrupted run's
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    total, fresh, reused = resumed.summary()
    assert total == COUNT and fresh + reused == COUNT
    assert reused >= done_before, f"{done_before} results were on disk, only {reused} reused"
    assert f"seed {SEED}" in resumed.stderr
    assert hs.strip_volatile(resumed.report) == hs.strip_volatile(full.report)
    assert (out / "grades.csv").read_bytes() == (tmp_path / "a" / "grades.csv").read_bytes()
    for feedback in (tmp_path / "a" / "feedback").iterdir():
        assert (out / "feedback" / feedback.name).read_bytes() == feedback.read_bytes()
    found = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    expected = {"report.json", "report.html", "junit.xml", "grades.csv", "results.jsonl", "run.json", "feedback", LOCK}
    assert found == expected | {f"feedback/student_{i:03d}.md" for i in range(COUNT)}, \
        "the kill left a half-written file behind"

    again = hs.run_check([class_dir], out, "--seed", str(SEED), *common, env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.summary() == (COUNT, 0, COUNT)
    assert hs.strip_volatile(again.report) == hs.strip_volatile(full.report)

    assert hs.tree_digest(class_dir) == before
    # SIGKILL leaves the killed run's scratch folder (its empty worker logs); no other run may.
    assert len(list(tmp_path.glob("grader-*"))) <= 1

