"""Attacks on other runs and on the grader itself: a run reaches nothing but its own.

Each test grades a small class of attackers (tests/hostile/corpus/isolation) followed by
honest controls, so that with ``--jobs 1`` every control runs on a worker an attacker ran on
before it. Controls must keep full marks; attackers must gain nothing; the run must exit 0
with a report for everyone; nothing outside the output folder may change.

Several attackers are canaries: they answer Q2B_TREND wrong when their attack reached
anything (a process of the grader, a file of an earlier run), so a success shows in the grade.
Without bubblewrap there are no namespaces and those attacks succeed by design (README, "The
isolation model"): the canary items are not checked there, the controls still are.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import _support as hs

pytestmark = pytest.mark.slow

ISOLATION = hs.CORPUS / "isolation"
ATTACKERS = ("fill", "plant", "ipc", "reach_worker", "proc_peek")
VICTIMS = ("victim", "ipc_victim")
CANARY = "q2b/Q2B_TREND"


def _compose(name: str) -> bytes:
    harness = (ISOLATION / "_harness.py").read_bytes()
    return hs.compose((ISOLATION / f"{name}.py").read_bytes().replace(b"@@HARNESS@@", harness))


def _grade(tmp_path: Path, files: dict[str, bytes], *extra: str) -> tuple[hs.Run, Path]:
    folder = tmp_path / "class"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    before = hs.tree_digest(folder)
    run = hs.run_check([folder], tmp_path / "out", "--seed", str(hs.SEED), "--timeout", hs.TIMEOUT, *extra,
                       env=hs.grader_env(TMPDIR=str(tmp_path)))
    assert run.returncode == 0, run.stderr[-3000:]
    assert hs.tree_digest(folder) == before, "a submission changed the class folder"
    assert set(run.by_student) == {Path(n).stem for n in files}, "a submission has no report"
    return run, folder


def _class() -> dict[str, bytes]:
    """Attackers first (a_..), then the controls: each control runs after every attacker."""
    files = {f"a{i}_{name}.py": _compose(name) for i, name in enumerate(ATTACKERS)}
    files |= {f"b{i}_{name}.py": _compose(name) for i, name in enumerate(VICTIMS)}
    files |= {f"c{i}_honest.py": hs.reference_text() for i in range(2)}
    return files


@pytest.mark.parametrize("extra", [("--jobs", "1"), ()], ids=["one-worker", "default-jobs"])
def test_no_run_reaches_the_grader_or_a_later_run(tmp_path: Path, extra: tuple[str, ...]) -> None:
    if not hs.bwrap_available():
        pytest.skip("needs the sandbox's namespaces")
    run, _ = _grade(tmp_path, _class(), *extra)
    for student, sub in run.by_student.items():
        assert sub["status"] == "graded", (student, sub["error"])
        wrong = {k: o for k, o in hs.outcomes(sub).items() if o not in ("correct", "manual")}
        assert not wrong, f"{student}: {wrong}"  # canaries included: no attack reached anything
        assert sub["points"] == hs.FULL_MARKS, student
    assert "internal error" not in run.stderr


def test_without_namespaces_the_controls_are_still_unharmed(tmp_path: Path) -> None:
    """--sandbox none: attacks on the worker succeed (README says so) and may cost their author,
    but no control pays for them: a damaged worker is replaced before the next run."""
    run, _ = _grade(tmp_path, _class(), "--jobs", "1", "--sandbox", "none")
    for student in [s for s in run.by_student if s.startswith("c")]:
        assert run.by_student[student]["points"] == hs.FULL_MARKS, student
    for student in [s for s in run.by_student if s.startswith("a")]:
        assert run.by_student[student]["points"] <= hs.FULL_MARKS, student


def test_a_crash_costs_its_own_item_whatever_the_frames_claim(tmp_path: Path) -> None:
    run, _ = _grade(tmp_path, {"a_forge_culprit.py": _compose("forge_culprit"), "b_honest.py": hs.reference_text()},
                    "--jobs", "1")
    forger = hs.outcomes(run.by_student["a_forge_culprit"])
    assert forger.pop("q2b/classification_grads") == "error"
    assert all(o in ("correct", "manual") for o in forger.values()), forger
    assert run.by_student["b_honest"]["points"] == hs.FULL_MARKS


def test_numbers_that_fit_no_float_are_wrong_not_an_internal_error(tmp_path: Path) -> None:
    run, _ = _grade(tmp_path, {"a_forge_numbers.py": _compose("forge_numbers"), "b_honest.py": hs.reference_text()},
                    "--jobs", "1")
    sub = run.by_student["a_forge_numbers"]
    outcomes = hs.outcomes(sub)
    assert (outcomes["q2a/Q2A_MAX"], outcomes["q2a/Q2A_ARGMAX"]) == ("wrong", "wrong")
    assert "not finite" in hs.feedback(sub, "q2a/Q2A_MAX") or "non-finite" in hs.feedback(sub, "q2a/Q2A_MAX")
    assert "internal" not in (sub["error"] or "") and "internal error" not in run.stderr
    assert run.by_student["b_honest"]["points"] == hs.FULL_MARKS


# Grades a class in this process and prints its peak resident memory in MB: the kernel's VmHWM,
# which belongs to this address space alone (ru_maxrss would carry the peak of the process that
# started this one, since Linux keeps it across exec).
MEASURE = """
import json, sys
from grader.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"code": code, "peak_mb": peak_kb / 1024}))
"""


def test_the_parents_memory_stays_bounded_whatever_the_frames_hold(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}_flood.py").write_bytes(_compose("forge_flood"))
    (folder / "b_honest.py").write_bytes(hs.reference_text())
    done = subprocess.run([sys.executable, "-c", MEASURE, "check", str(folder), "--out", str(tmp_path / "out"),
                           "--seed", str(hs.SEED), "--timeout", hs.TIMEOUT, "--no-progress", "--format", "json"],
                          capture_output=True, text=True, timeout=600, env=hs.grader_env(TMPDIR=str(tmp_path)),
                          check=False)
    assert done.stdout.strip(), done.stderr[-3000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["code"] == 0, done.stderr[-3000:]
    assert measured["peak_mb"] < 300, (measured, done.stderr[-2000:])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    subs = {s["student"]: s for s in report["submissions"]}
    assert subs["b_honest"]["points"] == hs.FULL_MARKS
    assert all(subs[f"a{i}_flood"]["points"] <= hs.FULL_MARKS for i in range(3))
