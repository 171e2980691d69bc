"""A/B: grade one generated class with two versions of the grader, their runs interleaved.

    python benchmarks/ab.py --before dbf536a                  # HEAD against dbf536a: jhu-hw3 .py, N = 1,000
    python benchmarks/ab.py --before HEAD~3 --format ipynb --n 500 --repeat 5

The version ``--before`` names is checked out in a temporary git worktree; each version grades
the same class (``_synth.write_class``) with ``python -m grader check`` imported from its own
checkout (PYTHONPATH), into a fresh output folder, ``--repeat`` times, alternating, so that the
machine's drift falls on both alike. It prints each run's wall time and the medians; it only
measures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _synth

ROOT = Path(__file__).resolve().parents[1]


def grade(checkout: Path, class_dir: Path, out: Path, jobs: int) -> float:
    """Seconds one `grader check` of the class takes with the grader of ``checkout``."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [sys.executable, "-m", "grader", "check", str(class_dir), "--out", str(out), "--no-progress",
               "--seed", "1", "--jobs", str(jobs), "--format", "csv"]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=out.parent, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: grader check exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the git revision to compare this checkout with")
    parser.add_argument("--assignment", default="jhu-hw3")
    parser.add_argument("--format", default="py", choices=["py", "ipynb"])
    parser.add_argument("--n", type=int, default=1000, help="submissions in the class (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each version (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grader-ab-") as scratch:
        base = Path(scratch)
        before = base / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(before), args.before],
                       check=True)
        try:
            _synth.write_class(args.assignment, args.format, args.n, base / "class")
            times: dict[str, list[float]] = {"before": [], "after": []}
            for run in range(1, args.repeat + 1):
                for name, checkout in (("before", before), ("after", ROOT)):
                    seconds = grade(checkout, base / "class", base / f"out-{name}-{run}", args.jobs)
                    times[name].append(seconds)
                    print(f"{name:6s} run {run}: {seconds:6.2f} s ({args.n / seconds:5.1f} subs/s)", flush=True)
            b, a = statistics.median(times["before"]), statistics.median(times["after"])
            print(f"median: before {b:.2f} s, after {a:.2f} s, difference {a - b:+.2f} s ({(a - b) / b:+.0%})")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], check=False)


if __name__ == "__main__":
    main()
