"""Benchmark report.html: how long writing it takes, and how large it is, for large classes.

    python benchmarks/bench_report.py                   # N = 1,000 and 10,000
    python benchmarks/bench_report.py --n 2000 --repeat 1 --no-browser

Synthesises N submission reports over two assignments (jhu-hw3 and mit-backprop, half the
class each, with the questions and items of the shipped rubrics), in bench.py's mix (60 %
correct, 25 % wrong, 15 % broken), and times report.html's output fed them one at a time,
with the report extra (Jinja2 and matplotlib) and without it (GRADER_REPORT_PLAIN=1). The
script only measures: it prints each figure next to its target and asserts nothing. See
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _synth import SPECS, categories, student_ids
from tabulate import tabulate

from grader.diff import Regrade, Reports
from grader.kinds.base import Outcome
from grader.outputs import FILES, QuestionColumn, RunInfo, SheetPlan, write_all
from grader.outputs import _formats as register_outputs
from grader.outputs.html import HtmlReport
from grader.report import ItemReport, QuestionReport, RunHeader, SubmissionReport, round_points

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("jhu-hw3", "mit-backprop")
SIZES = (1000, 10000)
TARGET_S = 5.0  # writing report.html for 10,000 students: a few seconds at most
MOVED = 0.10  # the share of the class whose total a re-grade moves
CHROMIUM = Path("/usr/bin/chromium")
HEADER = RunHeader(grader_version="bench", assignment=None, seed=1, sandbox="bwrap", torch=False,
                   created="2026-01-01T00:00:00+00:00")
WRONG = (("wrong", "wrong value"), ("wrong", "wrong shape"), ("wrong", "not finite"), ("missing", "not written"),
         ("error", "raised"), ("timeout", "timeout"), ("partial", ""))
BROKEN = ("{s}.py failed: SyntaxError: invalid syntax ({s}.py, line {n})",
          "{s}.py failed: ModuleNotFoundError: No module named 'google.colab' ({s}.py, line {n}: from google.colab "
          "import drive)",
          "{s}.py failed: NameError: name 'np' is not defined ({s}.py, line {n})",
          "{s}.py failed: ZeroDivisionError: division by zero ({s}.py, line {n})",
          "{s}.py did not finish loading within 10 s (line {n})")

Items = list[tuple[str, str, float]]  # (name, kind, points)


@dataclass(frozen=True)
class Rubric:
    name: str
    questions: list[tuple[str, Items]]

    @classmethod
    def shipped(cls, name: str) -> Rubric:
        data = tomllib.loads((ROOT / "rubrics" / f"{name}.toml").read_text())
        return cls(name, [(q["id"], [(item["name"], item["kind"], row["points"] / len(row["items"]))
                                     for row in q["rows"] for item in row["items"]]) for q in data["questions"]])

    def columns(self) -> tuple[QuestionColumn, ...]:
        return tuple(QuestionColumn(qid, round_points(sum(p for _, k, p in items if k != "text")),
                                    round_points(sum(p for _, k, p in items if k == "text")))
                     for qid, items in self.questions)


def synthesise(n: int, seed: int = 1) -> tuple[list[SubmissionReport], dict[str, Rubric]]:
    """N reports, half per assignment, in student order; a few groups share a similarity hash."""
    rng = random.Random(seed)
    rubrics = {name: Rubric.shipped(name) for name in ASSIGNMENTS}
    reports: list[SubmissionReport] = []
    seen: set[str] = set()
    for number, name in enumerate(ASSIGNMENTS):
        count = n // len(ASSIGNMENTS) + (number < n % len(ASSIGNMENTS))
        for student, category in zip(student_ids(SPECS[name], count, rng), categories(count, rng), strict=True):
            while student in seen:
                student += "_"
            seen.add(student)
            reports.append(_report(student, category, rubrics[name], rng))
    copied = rng.sample(range(len(reports)), len(reports) // 30)  # about 3 % hand in a copy of someone's code
    for index in copied:
        reports[index].similarity_hash = reports[rng.randrange(len(reports))].similarity_hash
    reports.sort(key=lambda r: r.student)
    return reports, rubrics


def _report(student: str, category: str, rubric: Rubric, rng: random.Random) -> SubmissionReport:
    automatic = [f"{q}/{name}" for q, items in rubric.questions for name, kind, _ in items if kind != "text"]
    wrong = set(rng.sample(automatic, rng.randint(1, 3))) if category == "wrong" else set()
    broken = category == "broken"
    reached = rng.randint(0, len(automatic)) if broken else len(automatic)  # defined before the failing line
    entered = rng.random() < 0.3  # the text items already graded by hand
    questions, position = [], 0
    for qid, items in rubric.questions:
        made = []
        for name, kind, worth in items:
            key = f"{qid}/{name}"
            if kind == "text":
                made.append(ItemReport(name=name, kind=kind, outcome=Outcome.MANUAL, points=0.0, max_points=worth,
                                       manual=True, manual_points=round_points(worth * rng.choice((0.5, 1.0)))
                                       if entered else None, feedback="Graded by hand."))
                continue
            outcome, reason, convention, points = "correct", "", "", worth
            if broken and position >= reached:
                outcome, reason, points = "error", "not run", 0.0
            elif key in wrong:
                outcome, reason = rng.choice(WRONG)
                convention = "mean" if outcome == "partial" else ""
                points = round_points(worth / 2) if outcome == "partial" else 0.0
            position += 1
            made.append(ItemReport(name=name, kind=kind, outcome=Outcome(outcome), points=points, max_points=worth,
                                   feedback=f"{outcome}: {reason or 'as expected'}", reason=reason,
                                   convention=convention))
        graded = [i for i in made if not i.manual]
        questions.append(QuestionReport(
            id=qid, points=round_points(sum(i.points for i in graded)),
            max_points=round_points(sum(i.max_points for i in graded)),
            manual_max_points=round_points(sum(i.max_points for i in made if i.manual)),
            pending_manual_points=round_points(sum(i.max_points for i in made if i.manual and i.manual_points is None)),
            items=made))
    error = rng.choice(BROKEN).format(s=student, n=rng.randint(3, 200)) if broken else None
    return SubmissionReport(
        student=student, assignment=rubric.name, source=f"class/{student}.py", feedback_file=f"feedback/{student}.md",
        status="error" if broken else "graded", error=error,
        points=round_points(sum(q.points for q in questions)), max_points=round_points(sum(q.max_points for q in questions)),
        manual_max_points=round_points(sum(q.manual_max_points for q in questions)),
        manual_points=round_points(sum(i.manual_points or 0.0 for q in questions for i in q.items if i.manual)),
        pending_manual_points=round_points(sum(q.pending_manual_points for q in questions)),
        questions=questions, content_hash=f"{rng.getrandbits(128):032x}",
        similarity_hash=f"{rng.getrandbits(128):032x}", seconds=round(rng.uniform(0.005, 0.05), 4))


def regraded(reports: list[SubmissionReport], seed: int = 2) -> list[SubmissionReport]:
    """The class after a rubric fix: MOVED of the graded students get one wrong item right."""
    rng = random.Random(seed)
    after = []
    for report in reports:
        fixed = [(q, i) for q, i in report.items() if i.outcome == "wrong"]
        if fixed and rng.random() < MOVED / 0.25:  # about a quarter of the class has a wrong item
            report = report.model_copy(deep=True)
            question, item = next((q, i) for q in report.questions for i in q.items if i.outcome == "wrong")
            item.outcome, item.points, item.reason = Outcome.CORRECT, item.max_points, ""
            question.points = round_points(question.points + item.max_points)
            report.points = round_points(report.points + item.max_points)
        after.append(report)
    return after


def info(out: Path, rubrics: dict[str, Rubric], n: int, changes: Regrade | None = None) -> RunInfo:
    return RunInfo(header=HEADER, out=out, plan=SheetPlan({name: r.columns() for name, r in sorted(rubrics.items())}),
                   students=n, rubrics=dict.fromkeys(rubrics, "0123456789ab"), changes=changes)


def write_page(out: Path, reports: list[SubmissionReport], run: RunInfo) -> float:
    """report.html alone, as ``write_all`` feeds it; the seconds it took."""
    start = time.perf_counter()
    page = HtmlReport(run)
    for report in reports:
        page.add(report)
    page.close()
    return time.perf_counter() - start


def browser_load(page: Path) -> float | None:
    """Seconds until headless Chromium fires ``load`` on the page; None without a browser."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.is_file():
        return None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            start = time.perf_counter()
            tab.goto(page.as_uri(), wait_until="load", timeout=120_000)
            return time.perf_counter() - start
        finally:
            browser.close()


def measure(n: int, repeat: int, browser: bool, scratch: Path) -> list[dict[str, Any]]:
    """One row per (page, variant) for a class of ``n``: the median of ``repeat`` writes."""
    reports, rubrics = synthesise(n)
    after = regraded(reports)
    # A run streams its reports and never holds them all: keep these out of the collector's view,
    # or its full passes over them are counted against the page.
    gc.collect()
    gc.freeze()
    first = scratch / f"first-{n}"
    first.mkdir()
    register_outputs()
    start = time.perf_counter()
    write_all(info(first, rubrics, n), reports, None, sys.stdout)  # every file, report.json for the re-grade
    all_outputs = time.perf_counter() - start
    rows = []
    for plain in (False, True):
        for variant in ("first run", "re-grade"):
            seconds = []
            for attempt in range(repeat):
                out = scratch / f"{n}-{plain}-{variant}-{attempt}".replace(" ", "-")
                out.mkdir()
                changes = None
                if variant == "re-grade":
                    changes = Regrade(Reports(first / "report.json"))
                    for report in after:
                        changes.add(report)
                    changes.close()
                os.environ.pop("GRADER_REPORT_PLAIN", None)
                if plain:
                    os.environ["GRADER_REPORT_PLAIN"] = "1"
                try:
                    seconds.append(write_page(out, after if changes else reports, info(out, rubrics, n, changes)))
                finally:
                    os.environ.pop("GRADER_REPORT_PLAIN", None)
            page = out / "report.html"
            rows.append({"n": n, "page": "plain" if plain else "report extra", "variant": variant,
                         "write_s": round(statistics.median(seconds), 3), "runs_s": [round(s, 3) for s in seconds],
                         "mb": round(page.stat().st_size / 1e6, 2),
                         "moved": len(changes.moved()) if changes else None,
                         "load_s": round(load, 2) if browser and (load := browser_load(page)) is not None else None,
                         "all_outputs_s": round(all_outputs, 2)})
    return rows


def first_use() -> float:
    """Seconds a process spends once, on its first page: importing Jinja2 and matplotlib, and
    matplotlib's first figure (font lookup). The rows below are measured after it."""
    from grader.outputs._page import Histogram, Page, Section, render

    start = time.perf_counter()
    render(Page("warm-up", [], [Section("overview", "Overview", [], [Histogram("t", [1.0, 2.0], 2.0, 1.5, 1.5)], [])]))
    return time.perf_counter() - start


def table(rows: list[dict[str, Any]]) -> str:
    body = [[f"{r['n']:,}", r["page"], r["variant"] + (f" ({r['moved']:,} moved)" if r["moved"] else ""),
             f"{r['write_s']:.2f}", f"{r['mb']:.2f}", "-" if r["load_s"] is None else f"{r['load_s']:.2f}",
             f"{r['all_outputs_s']:.1f}", f"<= {TARGET_S:.0f} s at 10,000" if r["n"] >= 10000 else ""]
            for r in rows]
    return tabulate(body, headers=["students", "page", "run", "write s", "MB", "load s", "all outputs s", "target"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default=",".join(map(str, SIZES)), help="class sizes (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="writes per row; the median is shown")
    parser.add_argument("--no-browser", action="store_true", help="do not time the page's load in Chromium")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"), help="where report-results.json goes")
    parser.add_argument("--keep", action="store_true", help="keep the pages written (the folder is printed)")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.n.split(",")]
    scratch = Path(tempfile.mkdtemp(prefix="bench-report-"))
    once = first_use()
    try:
        rows = [row for n in sizes for row in measure(n, max(args.repeat, 1), not args.no_browser, scratch)]
    finally:
        if args.keep:
            print(f"pages kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(table(rows))
    print(f"\nonce per process, before the first page: {once:.2f} s (importing Jinja2 and matplotlib, first figure)")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report-results.json").write_text(json.dumps({"first_use_s": round(once, 3), "rows": rows},
                                                             indent=2) + "\n")
    print(f"\nwritten: {args.out / 'report-results.json'} (outputs: {', '.join(FILES)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
