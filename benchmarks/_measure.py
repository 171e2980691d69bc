"""Measuring tools for the benchmark: timed grader runs, their CPU split, the naive baseline,
the fork floor."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from _proctree import Peaks, TreeSampler

# The console script next to this interpreter: a pyenv shim on PATH would add its own start-up.
_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = str(_SCRIPT) if _SCRIPT.exists() else (shutil.which("grader") or "grader")
MB = 1024 * 1024
_FLOOR = Path(__file__).with_name("_floor.py")
SUMMARY = re.compile(r"graded (\d+) submissions \((\d+) run, (\d+) reused\) in ([\d.]+) s")

# What a naive grader does per submission: a fresh interpreter that imports numpy (and torch).
NAIVE_PY = "import sys, numpy; exec(open(sys.argv[1]).read())"
NAIVE_NOTEBOOK = (
    "import sys, json, numpy\n"
    "cells = json.load(open(sys.argv[1]))['cells']\n"
    "lines = [l for c in cells if c['cell_type'] == 'code'\n"
    "         for l in ''.join(c['source']).splitlines() if not l.startswith(('%', '!'))]\n"
    "exec('\\n'.join(lines))"
)
NAIVE_FOLDER = (
    "import sys, numpy, torch; exec(open(sys.argv[1]).read()); exec(open('mlp.py').read())"
)


@dataclass
class GraderRun:
    """What one `grader check` subprocess cost."""

    returncode: int
    wall_s: float
    grader_s: float | None
    peaks: Peaks
    summary: str
    cpu: CpuUse


@dataclass
class CpuUse:
    """CPU seconds during a run: the grader's tree, this script (with its sampler), the rest."""

    grader_s: float = 0.0
    parent_s: float = 0.0
    bench_s: float = 0.0
    other_s: float = 0.0


def _busy_seconds() -> float:
    """Return the CPU seconds all processes of the machine have used since boot."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:9]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields)
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _cpu_snapshot() -> tuple[float, float]:
    """Return the machine's and this process's CPU seconds so far."""
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    return _busy_seconds(), self_usage.ru_utime + self_usage.ru_stime


def _cpu_use(before: tuple[float, float], after: tuple[float, float], tree: TreeSampler) -> CpuUse:
    """Split the machine's CPU time during a run; a large other_s means a busy machine."""
    busy, bench = (b - a for a, b in zip(before, after, strict=True))
    grader = tree.cpu_seconds()
    other = max(busy - grader - bench, 0.0)
    return CpuUse(*(round(x, 2) for x in (grader, tree.root_cpu_seconds(), bench, other)))


# A fixed piece of CPU work like the grader's (parsing Python, small numpy operations). Timed
# before each run, it tells how fast the machine is at that moment: on a shared VM the same
# code runs a third faster or slower from one hour to the next, and every figure moves with it.
_CALIBRATION_SOURCE = "\n".join(
    f"def f{i}(x, w=({i}, {i} + 1)):\n    'doc {i}'\n    return [x * v for v in w if v % 3] + [{i}]"
    for i in range(60)
)


def calibrate(rounds: int = 10, tries: int = 3) -> float:
    """Return the CPU milliseconds of a fixed workload, the best of ``tries`` (lower is faster)."""
    import numpy as np

    best = float("inf")
    for _ in range(tries):
        matrix = np.linspace(0.0, 1.0, 64).reshape(8, 8)
        start = time.thread_time()
        for _ in range(rounds):
            exec(compile(_CALIBRATION_SOURCE, "<calibration>", "exec"), {})
            for _ in range(50):
                matrix = np.tanh(matrix @ matrix.T) + 0.5
        best = min(best, time.thread_time() - start)
    return round(best * 1000, 1)


def run_grader(command: list[str], log_dir: Path) -> GraderRun:
    """Run `grader check` with its output going to files, timing it and sampling its memory."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout, stderr = log_dir / "stdout.txt", log_dir / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        cpu_before = _cpu_snapshot()
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - start
    peaks = sampler.stop()
    cpu = _cpu_use(cpu_before, _cpu_snapshot(), sampler)
    grader_s, summary = _summary(stderr.read_text(errors="replace"))
    return GraderRun(returncode, wall, grader_s, peaks, summary, cpu)


def _summary(stderr: str) -> tuple[float | None, str]:
    """Return the grader's own elapsed time and its summary line (or the tail of stderr)."""
    match = SUMMARY.search(stderr)
    if match is None:
        return None, stderr.strip()[-500:]
    line = stderr[match.start() :].splitlines()[0]
    return float(match.group(4)), line


def naive_command(submission: Path, fmt: str) -> tuple[list[str], Path]:
    """Return the naive grader's command for one submission, and the folder to run it in."""
    if fmt == "py":
        return [sys.executable, "-c", NAIVE_PY, str(submission)], submission.parent
    if fmt == "ipynb":
        return [sys.executable, "-c", NAIVE_NOTEBOOK, str(submission)], submission.parent
    theory = next(p for p in sorted(submission.glob("*.py")) if p.name != "mlp.py")
    return [sys.executable, "-c", NAIVE_FOLDER, str(theory)], submission


def _run_quietly(command: list[str], cwd: Path) -> None:
    """Run one command with its output discarded; a failing submission is not an error here."""
    try:
        subprocess.run(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60
        )
    except subprocess.TimeoutExpired:
        pass


def run_baseline(submissions: list[Path], fmt: str, parallel: int) -> float:
    """Run the naive grader on the submissions, `parallel` at a time; return the wall seconds."""
    commands = [naive_command(path, fmt) for path in submissions]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(lambda c: _run_quietly(*c), commands))
    return time.perf_counter() - start


def run_floor(folder: Path, fmt: str, jobs: int) -> float:
    """Return the fork floor's submissions per second on the class (see ``_floor.py``)."""
    command = [sys.executable, str(_FLOOR), str(folder), "--jobs", str(jobs)]
    done = subprocess.run(command + (["--torch"] if fmt == "folder" else []),
                          capture_output=True, text=True, check=True)
    return float(json.loads(done.stdout.splitlines()[-1])["per_s"])


def selftest_available() -> bool:
    """Return whether this grader has a `selftest` command."""
    probe = subprocess.run(
        [GRADER, "selftest", "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return probe.returncode == 0


def time_selftest(path: Path, runs: int) -> dict:
    """Run `grader selftest PATH` several times; return the median and all wall times."""
    times, codes = [], []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([GRADER, "selftest", str(path)], capture_output=True)
        times.append(time.perf_counter() - start)
        codes.append(done.returncode)
    return {
        "median_s": statistics.median(times),
        "times_s": [round(t, 3) for t in times],
        "exit_codes": codes,
        "output_tail": done.stdout.decode(errors="replace")[-400:],
    }
