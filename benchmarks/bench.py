"""Benchmark `grader check` on synthetic classes and compare it with a naive grader.

    python benchmarks/bench.py                 # N=1000 per class, plus the 10,000 memory run
    python benchmarks/bench.py --quick         # N=200, no 10,000 run: a smoke run
    python benchmarks/bench.py --n 500 --assignments jhu-hw3 --jobs 1 --repeat 5

The script only measures: it prints each figure next to its target and asserts nothing.
See benchmarks/README.md for what is measured and how.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from _measure import (
    GRADER,
    MB,
    calibrate,
    run_baseline,
    run_floor,
    run_grader,
    selftest_available,
    time_selftest,
)
from _synth import FORMATS, SPECS, write_class
from tabulate import tabulate

TARGETS = {"py": 200.0, "ipynb": 100.0, "folder": 20.0}
SELFTEST_TARGET_S = 1.0
FLAT_SIZES = (1000, 10000)
BASELINE_SAMPLE = 100
# The naive nyu-hw1 baseline imports torch per submission: 100 of them take minutes.
QUICK_BASELINE_SAMPLE = 30
SELFTEST_RUNS = 5
REPEAT = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; --quick turns N down to 200 and drops the 10,000 run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="submissions per class")
    parser.add_argument("--assignments", default="jhu-hw3,mit-backprop,nyu-hw1")
    parser.add_argument("--jobs", type=int, default=2, help="grader workers and naive parallelism")
    parser.add_argument("--quick", action="store_true", help="N=200 and no 10,000 run")
    parser.add_argument(
        "--repeat", type=int, default=REPEAT,
        help=f"grade each class this many times and report the median run (default {REPEAT})",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"))
    parser.add_argument(
        "--naive-sample", type=int, default=None,
        help=f"submissions per class for the naive baseline (default {BASELINE_SAMPLE}, "
        f"{QUICK_BASELINE_SAMPLE} with --quick)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated classes")
    parser.add_argument(
        "--flat-sizes", default=",".join(map(str, FLAT_SIZES)),
        help="the two class sizes of the memory-flatness run (default %(default)s; only the first "
        "with --quick)",
    )
    args = parser.parse_args(argv)
    args.assignments = [a.strip() for a in args.assignments.split(",") if a.strip()]
    unknown = sorted(set(args.assignments) - set(SPECS))
    if unknown:
        parser.error(f"unknown assignments {unknown}, expected some of {sorted(SPECS)}")
    if args.quick:
        args.n = 200
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.naive_sample is None:
        args.naive_sample = QUICK_BASELINE_SAMPLE if args.quick else BASELINE_SAMPLE
    try:
        args.flat_sizes = tuple(int(n) for n in args.flat_sizes.split(","))
    except ValueError:
        parser.error(f"--flat-sizes takes two sizes such as 1000,10000, not {args.flat_sizes!r}")
    if len(args.flat_sizes) != 2 or min(args.flat_sizes) < 1:
        parser.error(f"--flat-sizes takes two positive sizes, not {args.flat_sizes}")
    return args


def machine() -> dict:
    """Describe the machine and the versions the figures were measured with."""
    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "bwrap_on_path": shutil.which("bwrap") is not None,
        "grader": version("backprop-grader"),
        "numpy": version("numpy"),
        "torch": version("torch"),
        "grader_command": GRADER,
    }


def class_name(assignment: str, fmt: str) -> str:
    """Return a label such as "jhu-hw3 .py" or "nyu-hw1 folder"."""
    return f"{assignment} {'folder' if fmt == 'folder' else '.' + fmt}"


def submission_seconds(reports: list[dict]) -> dict:
    """Return the median and the sum of the per-submission times the grader reports."""
    seconds = sorted(r["seconds"] for r in reports if r.get("seconds") is not None)
    if not seconds:
        return {}
    return {"median_s": round(statistics.median(seconds), 4), "sum_s": round(sum(seconds), 1)}


def check_mix(manifest: dict[str, dict], reports: dict[str, dict]) -> dict:
    """Compare the grades with the generated mix: correct at full marks, the rest below."""
    tally: Counter[str] = Counter()
    surprises = []
    for student, made in manifest.items():
        report = reports.get(student)
        category = made["category"]
        tally[category] += 1
        if report is None:
            tally["missing"] += 1
            continue
        tally["status " + report["status"]] += 1
        full = report["status"] == "graded" and report["points"] >= report["max_points"] - 1e-9
        if full == (category == "correct"):
            tally[category + " as expected"] += 1
        elif len(surprises) < 8:
            surprises.append({"student": student, **made, **_brief(report)})
    return {"tally": dict(tally), "surprises": surprises}


def _brief(report: dict) -> dict:
    """Return the few fields of a submission report that explain a surprising grade."""
    keys = ("status", "error", "points", "max_points", "pending_manual_points")
    return {key: report.get(key) for key in keys}


def mix_text(mix: dict) -> str:
    """Return e.g. "600/600 | 250/250 | 150/150": correct at full, wrong and broken below."""
    if "error" in mix:
        return mix["error"]
    t = mix["tally"]
    kinds = ("correct", "wrong", "broken")
    cells = [f"{t.get(c + ' as expected', 0)}/{t.get(c, 0)}" for c in kinds]
    return " | ".join(cells)


def grade_class(
    assignment: str, fmt: str, n: int, jobs: int, work: Path, repeat: int = 1
) -> tuple[dict, Path]:
    """Generate one class, grade it ``repeat`` times; return the median run's row and the folder.

    Each run grades from scratch into its own output folder; the row also lists every run's
    rate, and the machine's speed (``calibrate``) just before each run.
    """
    base = work / f"{assignment}-{fmt}-{n}-j{jobs}"
    manifest = write_class(assignment, fmt, n, base / "class")
    (base / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    rows = [_grade_once(assignment, fmt, n, jobs, base, manifest, i) for i in range(repeat)]
    rows.sort(key=lambda r: r["wall_s"])
    row = rows[(len(rows) - 1) // 2]  # the median run (the faster of the middle two)
    row["runs_per_s"] = [r["per_s"] for r in rows]
    row["runs_calib_ms"] = [r["calib_ms"] for r in rows]
    row["runs_floor_per_s"] = [r["floor_per_s"] for r in rows]
    return row, base / "class"


def _grade_once(assignment: str, fmt: str, n: int, jobs: int, base: Path, manifest: dict,
                attempt: int) -> dict:
    """Grade the class once into a fresh output folder and return its figures."""
    out = base / f"out-{attempt}"
    command = [
        GRADER, "check", str(base / "class"), "--out", str(out), "--no-progress",
        "--seed", "1", "--jobs", str(jobs), "--format", "csv",
    ]
    load_before = os.getloadavg()[0]
    calib_ms = calibrate()
    run = run_grader(command, base / f"logs-{attempt}")
    floor_per_s = run_floor(base / "class", fmt, jobs)  # right after, at the same machine speed
    report_path = out / "report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    reports = {r["student"]: r for r in report.get("submissions", [])}
    return {
        "class": class_name(assignment, fmt), "assignment": assignment, "format": fmt, "n": n,
        "jobs": jobs, "returncode": run.returncode, "wall_s": round(run.wall_s, 2),
        "grader_s": run.grader_s, "per_s": round(n / run.wall_s, 1), "target_per_s": TARGETS[fmt],
        "floor_per_s": floor_per_s, "of_floor": round(n / run.wall_s / floor_per_s, 2),
        "parent_peak_mb": round(run.peaks.root_bytes / MB, 1),
        "tree_peak_mb": round(run.peaks.tree_bytes / MB, 1),
        "max_processes": run.peaks.processes, "sandbox": report.get("sandbox"),
        "summary": run.summary, "outside_run_s": _outside(run.wall_s, run.grader_s),
        "cpu_s": asdict(run.cpu), "load_before": round(load_before, 2), "calib_ms": calib_ms,
        "per_submission": submission_seconds(list(reports.values())),
        "mix": check_mix(manifest, reports) if reports else {"error": "no report.json"},
    }


def _outside(wall_s: float, grader_s: float | None) -> float | None:
    """Return the seconds outside the grader's own timer: start-up, imports, exit."""
    return None if grader_s is None else round(wall_s - grader_s, 2)


def add_baseline(row: dict, folder: Path, jobs: int, size: int) -> None:
    """Time the naive grader on a sample of the class and add its rate and the ratio to row."""
    submissions = sorted(folder.iterdir())
    sample = random.Random(0).sample(submissions, min(len(submissions), size))
    wall = run_baseline(sample, row["format"], parallel=jobs)
    row["naive_sample"] = len(sample)
    row["naive_per_s"] = round(len(sample) / wall, 2)
    row["speedup"] = round(row["per_s"] / row["naive_per_s"], 1)


def print_row(row: dict) -> None:
    """Print one class's figures as soon as they are measured."""
    naive = f"naive {row['naive_per_s']}/s, x{row['speedup']}" if "naive_per_s" in row else ""
    runs = ""
    if len(row["runs_per_s"]) > 1:
        runs = (f"  runs {row['runs_per_s']}/s, floor {row['runs_floor_per_s']}/s, "
                f"calib {row['runs_calib_ms']} ms")
    print(
        f"  {row['class']:<22} N={row['n']:<6} {row['wall_s']:>7.2f} s  {row['per_s']:>7.1f}/s "
        f"(target >= {row['target_per_s']:g}/s, fork floor {row['floor_per_s']:g}/s)  "
        f"parent {row['parent_peak_mb']} MB, "
        f"tree {row['tree_peak_mb']} MB  {naive}  mix {mix_text(row['mix'])}  "
        f"cpu {row['cpu_s']['grader_s']} s (parent {row['cpu_s']['parent_s']} s, "
        f"others {row['cpu_s']['other_s']} s)  "
        f"rc={row['returncode']}{runs}",
        flush=True,
    )
    for surprise in row["mix"].get("surprises", [])[:3]:
        print(f"    unexpected grade: {surprise}", flush=True)


def bench_classes(args: argparse.Namespace, work: Path) -> list[dict]:
    """Grade every (assignment, format) class and time the naive baseline on each."""
    rows = []
    for assignment in args.assignments:
        for fmt in FORMATS[assignment]:
            row, folder = grade_class(assignment, fmt, args.n, args.jobs, work, args.repeat)
            add_baseline(row, folder, args.jobs, args.naive_sample)
            print_row(row)
            rows.append(row)
    return rows


def bench_flatness(args: argparse.Namespace, work: Path, rows: list[dict]) -> dict:
    """Grade jhu-hw3 .py at the two --flat-sizes (1,000 and 10,000) and compare the parent's peak RSS."""
    if "jhu-hw3" not in args.assignments:
        return {"skipped": "jhu-hw3 not selected"}
    sizes = args.flat_sizes[:1] if args.quick else args.flat_sizes
    runs = {}
    for n in sizes:
        same = [r for r in rows if r["class"] == "jhu-hw3 .py" and r["n"] == n]
        row = same[0] if same else grade_class("jhu-hw3", "py", n, args.jobs, work)[0]
        if not same:
            print_row(row)
        keys = ("wall_s", "per_s", "parent_peak_mb", "tree_peak_mb", "returncode")
        runs[str(n)] = {key: row[key] for key in keys}
    result: dict = {"runs": runs}
    if len(runs) == 2:
        small, large = (runs[str(n)]["parent_peak_mb"] for n in args.flat_sizes)
        result["parent_ratio"] = round(large / small, 2)
    else:
        result["note"] = f"{args.flat_sizes[1]:,} run skipped (--quick)"
    return result


def bench_selftest(args: argparse.Namespace, work: Path) -> dict:
    """Time `grader selftest` on one correct submission, median of five runs."""
    if not selftest_available():
        return {"skipped": "selftest not available"}
    assignment = next((a for a in args.assignments if "py" in FORMATS[a]), args.assignments[0])
    fmt = FORMATS[assignment][0]
    folder = work / "selftest"
    write_class(assignment, fmt, 1, folder)
    path = next(folder.iterdir())
    return {"submission": f"{assignment} {fmt}", **time_selftest(path, SELFTEST_RUNS)}


def _median_ms(row: dict) -> float | None:
    """Return the median seconds per submission the grader reports, in milliseconds."""
    median = row["per_submission"].get("median_s")
    return None if median is None else round(median * 1000, 1)


def class_table(rows: list[dict]) -> str:
    """Return the throughput and memory table of the graded classes."""
    headers = [
        "class", "N", "jobs", "wall s", "outside s", "ms/sub", "subs/s", "runs subs/s", "calib ms",
        "target", "floor/s", "of floor", "naive/s",
        "x naive", "cpu s", "parent cpu s", "other cpu s", "parent MB", "tree MB", "procs",
        "mix ok (c|w|b)", "rc",
    ]
    body = [
        [
            r["class"], r["n"], r["jobs"], r["wall_s"], r["outside_run_s"], _median_ms(r),
            r["per_s"], _span(r["runs_per_s"]), _span(r["runs_calib_ms"]),
            f">= {r['target_per_s']:g}", r["floor_per_s"], r["of_floor"],
            r.get("naive_per_s"), r.get("speedup"), r["cpu_s"]["grader_s"],
            r["cpu_s"]["parent_s"], r["cpu_s"]["other_s"],
            r["parent_peak_mb"], r["tree_peak_mb"],
            r["max_processes"], mix_text(r["mix"]), r["returncode"],
        ]
        for r in rows
    ]
    return tabulate(body, headers=headers)


def _span(values: list[float]) -> str:
    """Return "lowest-highest" of several runs' figures, or the one figure."""
    low, high = min(values), max(values)
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


def extra_table(flatness: dict, selftest: dict) -> str:
    """Return the memory-flatness and self-test figures as a small table."""
    body = []
    for n, run in flatness.get("runs", {}).items():
        body.append([f"jhu-hw3 .py parent peak RSS, N={n}", f"{run['parent_peak_mb']} MB", ""])
    if "parent_ratio" in flatness:
        small, large = (f"{int(n):,}" for n in flatness["runs"])
        body.append([f"parent peak ratio {large} / {small}", flatness["parent_ratio"], "about 1"])
    for key in ("skipped", "note"):
        if key in flatness:
            body.append(["memory flatness", flatness[key], ""])
    if "median_s" in selftest:
        label = f"selftest median of {SELFTEST_RUNS} ({selftest['submission']})"
        body.append([label, f"{selftest['median_s']:.3f} s", "< 1 s"])
        body.append(["selftest exit codes", selftest["exit_codes"], "0"])
    else:
        body.append(["selftest", selftest["skipped"], "< 1 s"])
    return tabulate(body, headers=["measure", "value", "target"])


def main(argv: list[str] | None = None) -> int:
    """Run every part of the benchmark, print the summary and write results.json."""
    args = parse_args(argv)
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    print(f"machine: {info}\nwork folder: {work}\nclasses (N={args.n}, --jobs {args.jobs}):")
    try:
        rows = bench_classes(args, work)
        flatness = bench_flatness(args, work, rows)
        selftest = bench_selftest(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    tables = f"{class_table(rows)}\n\n{extra_table(flatness, selftest)}"
    print(f"\n{tables}")
    args.out.mkdir(parents=True, exist_ok=True)
    results = {
        "machine": info, "n": args.n, "jobs": args.jobs, "quick": args.quick, "repeat": args.repeat,
        "targets": {**TARGETS, "selftest_s": SELFTEST_TARGET_S}, "classes": rows,
        "flatness": flatness, "selftest": selftest, "table": tables,
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nwrote {args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
