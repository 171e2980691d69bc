"""A grader killed inside an atomic write leaves a temporary file; the next run deletes it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from grader.store import Store


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_dead_graders_temporaries_are_deleted_and_nothing_else(tmp_path: Path) -> None:
    feedback = tmp_path / "feedback"
    feedback.mkdir()
    dead, alive = _dead_pid(), os.getpid()
    stale = [feedback / f".alice.md.{dead}.7.tmp", tmp_path / f".report.json.{dead}.0.tmp"]
    kept = [
        feedback / f".bob.md.{alive}.3.tmp",  # a grader still writing
        feedback / "alice.md",
        tmp_path / ".notes.tmp",  # not a name the grader gives
        tmp_path / f"results.jsonl.{dead}.1.tmp",  # no leading dot: not ours either
    ]
    for path in stale + kept:
        path.write_text("partial")

    Store(tmp_path).close()

    assert [p.name for p in stale if p.exists()] == []
    assert [p.name for p in kept if not p.exists()] == []
