"""Building hostile classes from the corpus, running ``grader check`` on them, and checking runs.

A corpus file is a small snippet. Its second line says how it becomes a submission:

- ``# compose: reference+snippet``: the reference solution, then the snippet (which may
  redefine names of the reference);
- ``# compose: split``: the reference's Question 1, the snippet, then its Question 2;
- ``# compose: template+snippet``: the blank student template, then the snippet;
- anything else: the file as it is.

Placeholders in a snippet are filled in when the class is built: ``@@MARKER@@`` (a unique
argument for processes the submission starts, per case), ``@@PORT@@`` (a loopback server of
the test), ``@@CLASS_DIR@@`` and ``@@OUT_DIR@@`` (the run's real folders, as if guessed).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
REFERENCE = ROOT / "solutions" / "jhu_hw3.py"
TEMPLATE = ROOT / "student_template" / "jhu-hw3" / "jhu_hw3.py"
SEED = 20240611
TIMEOUT = "20"
SUMMARY = re.compile(r"graded (\d+) submissions \((\d+) run, (\d+) reused\)")

# Every item of jhu-hw3 with its points; the two text items are pending manual review.
POINTS = {
    "q1a/grad_W": 2.0, "q1a/Q1A_DERIVATION": 3.0, "q1b/Q1B_W_NEW": 3.0, "q1b/l2_step": 2.0,
    "q2a/sigmoid_prime": 2.0, "q2a/Q2A_MAX": 0.5, "q2a/Q2A_ARGMAX": 0.5, "q2a/Q2A_INF": 0.5,
    "q2a/Q2A_INF_ATTAINED": 0.5, "q2b/Q2B_GRADS": 3.0, "q2b/classification_grads": 2.0,
    "q2b/Q2B_TREND": 1.0, "q2c/regression_grads": 3.0, "q2d/Q2D_GRADS": 3.0,
    "q2d/Q2D_TREND": 1.0, "q2d/Q2_NOTES": 0.0,
}
TEXT_ITEMS = {"q1a/Q1A_DERIVATION", "q2d/Q2_NOTES"}
AUTOMATIC = [key for key in POINTS if key not in TEXT_ITEMS]
QUESTION_1 = {key for key in POINTS if key.startswith("q1")}
FULL_MARKS = sum(POINTS[key] for key in AUTOMATIC)  # 24
MAX_POINTS = sum(POINTS.values())  # 27


def reference_text() -> bytes:
    return REFERENCE.read_bytes()


def reference_halves() -> tuple[bytes, bytes]:
    """The reference cut before the banner of Question 2."""
    text = reference_text()
    match = re.search(rb"^# -+\n# Question 2\n", text, re.M)
    assert match, "the reference no longer has a '# Question 2' banner"
    return text[: match.start()], text[match.start():]


def compose(snippet: bytes) -> bytes:
    """The submission a corpus snippet stands for (see the module docstring)."""
    mode = re.search(rb"^# compose: (\S+)", snippet, re.M)
    how = mode.group(1).decode() if mode else "standalone"
    if how == "reference+snippet":
        return reference_text() + b"\n\n" + snippet
    if how == "template+snippet":
        return TEMPLATE.read_bytes() + b"\n\n" + snippet
    if how == "split":
        first, second = reference_halves()
        return first + b"\n" + snippet + b"\n" + second
    return snippet


def marker_for(run_marker: str, case: str) -> str:
    return f"{run_marker}-{case}"


def build_class(folder: Path, cases: Iterable[str], placeholders: dict[str, str], run_marker: str,
                rename: dict[str, str] | None = None) -> dict[str, Path]:
    """Write the composed corpus ``cases`` (file names in corpus/) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in cases:
        source = CORPUS / name
        stem = source.name.split(".")[0]
        data = compose(source.read_bytes())
        for key, value in {**placeholders, "@@MARKER@@": marker_for(run_marker, stem)}.items():
            data = data.replace(key.encode(), value.encode())
        target = folder / (rename or {}).get(name, source.name)
        target.write_bytes(data)
        written[target.stem] = target
    return written


def honest_files(folder: Path) -> None:
    """The two honest students: the reference, and the reference with Q2B_GRADS wrong."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "honest_correct.py").write_bytes(reference_text())
    wrong = b"\n\n# An honest mistake: the gradient of the wrong sign.\nQ2B_GRADS = -Q2B_GRADS\n"
    (folder / "honest_partial.py").write_bytes(reference_text() + wrong)


@dataclass
class Run:
    """One finished ``grader check``."""

    returncode: int
    stdout: str
    stderr: str
    out: Path
    seconds: float
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def by_student(self) -> dict[str, dict[str, Any]]:
        return {s["student"]: s for s in self.report.get("submissions", [])}

    def summary(self) -> tuple[int, int, int]:
        match = SUMMARY.search(self.stderr)
        assert match, f"no summary line in stderr:\n{self.stderr[-3000:]}"
        total, fresh, reused = (int(g) for g in match.groups())
        return total, fresh, reused


def check_command(paths: Iterable[Path], out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "grader", "check", *map(str, paths), "--out", str(out),
            "--no-progress", *extra]


def grader_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    return {**env, **extra}


def run_check(paths: Iterable[Path], out: Path, *extra: str, env: dict[str, str] | None = None,
              timeout: float = 400) -> Run:
    started = time.monotonic()
    done = subprocess.run(check_command(paths, out, *extra), capture_output=True, text=True,
                          timeout=timeout, env=env or grader_env(), cwd=out.parent, check=False)
    run = Run(done.returncode, done.stdout, done.stderr, out, time.monotonic() - started)
    report = out / "report.json"
    if report.exists():
        run.report = json.loads(report.read_text())
    return run


def outcomes(sub: dict[str, Any]) -> dict[str, str]:
    return {f"{q['id']}/{i['name']}": i["outcome"] for q in sub["questions"] for i in q["items"]}


def item_points(sub: dict[str, Any]) -> dict[str, float]:
    return {f"{q['id']}/{i['name']}": i["points"] for q in sub["questions"] for i in q["items"]}


def feedback(sub: dict[str, Any], key: str) -> str:
    for q in sub["questions"]:
        for i in q["items"]:
            if f"{q['id']}/{i['name']}" == key:
                return str(i["feedback"])
    raise KeyError(key)


def strip_volatile(data: Any) -> Any:
    """``data`` without the fields two equal reports may differ in: timings and timestamps."""
    if isinstance(data, dict):
        return {k: strip_volatile(v) for k, v in data.items() if k not in ("seconds", "created")}
    if isinstance(data, list):
        return [strip_volatile(v) for v in data]
    return data


def tree_digest(*roots: Path) -> dict[str, str]:
    """Every file, folder and link under ``roots``, with a hash of its content or target."""
    digest: dict[str, str] = {}
    for root in roots:
        if root.is_file() or root.is_symlink():
            digest[str(root)] = _entry_digest(root)
            continue
        for folder, dirs, files in os.walk(root, followlinks=False):
            for name in dirs + files:
                path = Path(folder, name)
                digest[str(path)] = _entry_digest(path)
    return digest


def _entry_digest(path: Path) -> str:
    st = path.lstat()
    if path.is_symlink():
        return f"link:{os.readlink(path)}:{st.st_mode:o}"
    if path.is_dir():
        return f"dir:{st.st_mode:o}"
    return f"file:{st.st_mode:o}:{hashlib.sha256(path.read_bytes()).hexdigest()}"


def processes_with(marker: str) -> dict[int, str]:
    """Live (not zombie) processes whose command line contains ``marker``."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found[int(entry)] = cmdline.strip()
    return found


def wait_for_no_processes(marker: str, patience: float = 5.0) -> dict[int, str]:
    """The processes with ``marker`` still alive after up to ``patience`` seconds."""
    deadline = time.monotonic() + patience
    while True:
        alive = processes_with(marker)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def kill_leftovers(marker: str) -> None:
    """SIGKILL the processes our own test's submissions started (found by their marker)."""
    for pid in processes_with(marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def bwrap_available() -> bool:
    from grader.sandbox.bwrap import bwrap_works

    return bwrap_works()
