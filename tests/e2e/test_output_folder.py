"""One grader process writes an output folder at a time, and an unusable folder is named."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from grader.store import LOCK
from tests.conftest import EXAMPLES, run_grader

# Holds the folder as `grader check` does, says so, and waits to be killed.
HOLDER = """
import sys, time
from pathlib import Path
from grader.store import output_lock
with output_lock(Path(sys.argv[1]), "check"):
    print("held", flush=True)
    time.sleep(300)
"""


def _hold(out: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    line = holder.stdout.readline()
    holder.stdout.close()
    assert line == "held\n"
    return holder


def _files(out: Path) -> dict[str, bytes]:
    """Every file the grader wrote under ``out``, but the lock, which the holder rewrote."""
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != LOCK}


def _check(out: Path) -> subprocess.CompletedProcess[str]:
    return run_grader("check", str(EXAMPLES / "jhu-hw3"), "--out", str(out), "--seed", "7", "--no-progress")


def test_a_second_grader_on_a_busy_folder_stops_and_names_the_holder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _check(out)
    assert first.returncode == 0, first.stderr
    before = _files(out)
    holder = _hold(out)
    try:
        second = _check(out)
        manual = run_grader("manual", str(out), "--student", "ada_lovelace", "--item", "q1a/Q1A_DERIVATION",
                            "--points", "1")
    finally:
        holder.kill()
        holder.wait()
    for refused in (second, manual):
        assert refused.returncode == 2, refused.stderr
        assert f"{out} is being written by `grader check` (pid {holder.pid}," in refused.stderr
        assert "Traceback" not in refused.stderr
    assert _files(out) == before  # the refused runs wrote nothing


def test_the_hold_ends_with_its_process_even_when_killed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = _hold(out)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    done = _check(out)
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "report.json").read_text())["submissions"]


def test_an_output_folder_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = _check(blocker / "out")
    assert done.returncode == 2
    assert f"{blocker / 'out'}: cannot write the reports here" in done.stderr
    assert "Traceback" not in done.stderr
