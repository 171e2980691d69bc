"""Manual scores for text items: entered by instructors, kept apart from automatic points.

Scores live in ``OUT/manual.csv`` so that re-grading never overwrites them;
the grade sheets are rewritten from ``report.json`` after each entry.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from grader import writers
from grader.errors import UsageError
from grader.store import atomic_write, output_lock

FIELDS = ["student", "item", "points", "comment"]


def enter(out: Path, student: str, item: str, points: float, comment: str = "") -> None:
    """Record one manual score after checking it names a text item of that student."""
    if not (out / "report.json").is_file():
        _load_report(out)  # names the problem, without creating the folder
    with output_lock(out, "manual"):
        _enter(out, student, item, points, comment)


def _enter(out: Path, student: str, item: str, points: float, comment: str) -> None:
    report = _load_report(out)
    submission = next((s for s in report["submissions"] if s["student"] == student), None)
    if submission is None:
        raise UsageError(f"{out}/report.json has no student {student!r}")
    _validate(submission, item, points)
    rows = {(r["student"], r["item"]): r for r in _read(out)}
    rows[(student, item)] = {"student": student, "item": item, "points": f"{points:g}", "comment": comment}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows[key] for key in sorted(rows))
    atomic_write(out / writers.MANUAL, buffer.getvalue())
    rewrite_sheets(out, report)


def _load_report(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{out}/report.json cannot be read ({exc}); run `grader check` first") from None


def _validate(submission: dict[str, Any], item: str, points: float) -> None:
    question_id, _, name = item.partition("/")
    for question in submission["questions"]:
        for found in question["items"] if question["id"] == question_id else []:
            if found["name"] == name:
                if found["outcome"] != "manual":
                    raise UsageError(f"{item} is not awaiting manual review (outcome {found['outcome']})")
                if not 0 <= points <= found["max_points"]:
                    raise UsageError(f"{item} is worth 0 to {found['max_points']:g} points, not {points:g}")
                return
    raise UsageError(f"no item {item!r}; use QUESTION/NAME, e.g. q1a/Q1A_DERIVATION")


def _read(out: Path) -> list[dict[str, str]]:
    path = out / writers.MANUAL
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def rewrite_sheets(out: Path, report: dict[str, Any]) -> None:
    """Rewrite the grade sheets from report.json and manual.csv."""
    manual = writers.read_manual(out)
    names = sorted({s["assignment"] for s in report["submissions"] if s["questions"]})
    for name in names:
        subs = [s for s in report["submissions"] if s["assignment"] == name]
        questions = next(s["questions"] for s in subs if s["questions"])
        columns = ["student", *[q["id"] for q in questions], "automatic", "manual_pending", "manual", "total", "status"]
        possible = ["(points possible)", *[writers.fmt(q["max_points"]) for q in questions],
                    writers.fmt(sum(q["max_points"] for q in questions)), "", "", "", ""]
        rows = writers.grade_rows(subs, manual, [q["id"] for q in questions])
        sheet = "grades.csv" if len(names) == 1 else f"grades-{name}.csv"
        writers.write_grades(out / sheet, columns, possible, rows)
