"""Measuring tools for the benchmark: timed subprocesses, process-tree RSS, the naive baseline."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
# The console script next to this interpreter: a pyenv shim on PATH would add its own start-up.
_SCRIPT = Path(sys.executable).with_name("grader")
GRADER = str(_SCRIPT) if _SCRIPT.exists() else (shutil.which("grader") or "grader")
MB = 1024 * 1024
POLL_SECONDS = 0.02
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
class Peaks:
    """The peak RSS of a process tree, of its root process alone, and the most processes seen."""

    tree_bytes: int = 0
    root_bytes: int = 0
    processes: int = 0


@dataclass
class GraderRun:
    """What one `grader check` subprocess cost."""

    returncode: int
    wall_s: float
    grader_s: float | None
    peaks: Peaks
    summary: str


def _rss_pages(pid: int) -> int:
    """Return the resident pages of a process, or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _hwm_bytes(pid: int) -> int:
    """Return the kernel's own peak RSS (VmHWM) of a process, or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _parent_pid(pid: int) -> int:
    """Return a process's parent pid from /proc/PID/stat, or -1 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


class TreeSampler(threading.Thread):
    """Polls /proc every 20 ms and keeps the peak summed RSS of a process tree.

    Sandboxed workers live in their own pid namespace but keep a host pid and parent, so the
    tree is complete from outside. Parent pids are cached: a process never changes its parent
    while its parent lives, so each new pid costs one read of its stat file.
    """

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peaks = Peaks()
        self._parents: dict[int, int] = {}
        self._halt = threading.Event()

    def _tree(self) -> list[int]:
        """Return the pids of the root and all its living descendants."""
        pids = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        self._parents = {pid: self._parents.get(pid) or _parent_pid(pid) for pid in pids}
        children: dict[int, list[int]] = defaultdict(list)
        for pid, parent in self._parents.items():
            children[parent].append(pid)
        tree, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, ()))
        return tree

    def sample(self) -> None:
        """Take one sample of the tree and update the peaks."""
        tree = self._tree()
        total = sum(_rss_pages(pid) for pid in tree) * PAGE
        peaks = self.peaks
        peaks.tree_bytes = max(peaks.tree_bytes, total)
        peaks.root_bytes = max(peaks.root_bytes, _hwm_bytes(self.root))
        peaks.processes = max(peaks.processes, len(tree))

    def run(self) -> None:
        """Sample until stopped."""
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(POLL_SECONDS)

    def stop(self) -> Peaks:
        """Stop sampling and return the peaks."""
        self._halt.set()
        self.join()
        return self.peaks


def run_grader(command: list[str], log_dir: Path) -> GraderRun:
    """Run `grader check` with its output going to files, timing it and sampling its memory."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout, stderr = log_dir / "stdout.txt", log_dir / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - start
    peaks = sampler.stop()
    grader_s, summary = _summary(stderr.read_text(errors="replace"))
    return GraderRun(returncode, wall, grader_s, peaks, summary)


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
