"""Manual scores for text items: entered by instructors, kept apart from automatic points.

Scores live in ``OUT/manual.csv`` so that re-grading never overwrites them. Each run, and
each new entry, merges them into the reports (``apply``): report.json, the grade sheets and
the student's feedback then all show the same points and the instructor's comment.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError
from grader.grade import pending
from grader.report import RunHeader, RunReport, SubmissionReport, round_points
from grader.store import atomic_write, output_lock

MANUAL = "manual.csv"
FIELDS = ["student", "item", "points", "comment"]


@dataclass(frozen=True)
class Entry:
    """One manual score: ``item`` is ``question/name``."""

    points: float
    comment: str = ""


Entries = dict[str, dict[str, Entry]]  # student -> item -> entry


def read(out: Path) -> Entries:
    """The manual scores entered so far."""
    path = out / MANUAL
    entries: Entries = {}
    if not path.exists():
        return entries
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entries.setdefault(row["student"], {})[row["item"]] = Entry(float(row["points"]), row.get("comment", ""))
    return entries


def apply(report: SubmissionReport, entries: Entries) -> SubmissionReport:
    """``report`` with the manual scores entered for its student (capped at each item's worth)."""
    mine = entries.get(report.student)
    if not mine:
        return report
    updated = report.model_copy(deep=True)
    entered = 0.0
    for question in updated.questions:
        for item in question.items:
            entry = mine.get(f"{question.id}/{item.name}")
            if item.manual and entry is not None:
                item.manual_points = round_points(min(max(entry.points, 0.0), item.max_points))
                item.manual_comment = entry.comment
        question.pending_manual_points = pending(question.items)
        entered += sum(i.manual_points or 0.0 for i in question.items if i.manual)
    updated.manual_points = round_points(entered)
    updated.pending_manual_points = round_points(sum(q.pending_manual_points for q in updated.questions))
    return updated


def enter(out: Path, student: str, item: str, points: float, comment: str = "") -> list[str]:
    """Record one manual score after checking it names a text item of that student, then
    rewrite the run's outputs with it; the files rewritten."""
    if not out.is_dir():
        raise UsageError(f"{out}: no such output folder; run `grader check` first")
    with output_lock(out, "manual"):  # first: a grader still writing the folder is named
        report = _load_report(out)
        submission = next((s for s in report.submissions if s.student == student), None)
        if submission is None:
            raise UsageError(f"{out}/report.json has no student {student!r}")
        _validate(submission, item, points)
        entries = read(out)
        entries.setdefault(student, {})[item] = Entry(points, comment)
        _save(out, entries)
        return _rewrite(out, report, entries)


def _load_report(out: Path) -> RunReport:
    try:
        return RunReport.model_validate_json((out / "report.json").read_bytes())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{out}/report.json cannot be read ({exc}); run `grader check` first") from None


def _validate(submission: SubmissionReport, item: str, points: float) -> None:
    question_id, _, name = item.partition("/")
    for qid, found in submission.items():
        if qid == question_id and found.name == name:
            if not found.manual:
                raise UsageError(f"{item} is graded automatically (outcome {found.outcome}), not by hand")
            if found.outcome != "manual":
                raise UsageError(f"{item} is not awaiting manual review (outcome {found.outcome})")
            if not 0 <= points <= found.max_points:
                raise UsageError(f"{item} is worth 0 to {found.max_points:g} points, not {points:g}")
            return
    raise UsageError(f"no item {item!r}; use QUESTION/NAME, e.g. q1a/Q1A_DERIVATION")


def _save(out: Path, entries: Entries) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for student in sorted(entries):
        for item, entry in sorted(entries[student].items()):
            writer.writerow({"student": student, "item": item, "points": f"{entry.points:g}",
                             "comment": entry.comment})
    atomic_write(out / MANUAL, buffer.getvalue())


def _rewrite(out: Path, report: RunReport, entries: Entries) -> list[str]:
    """report.json, the sheets and the feedback files, from the stored reports and ``entries``."""
    from grader.outputs import RunInfo, SheetPlan, write_all

    submissions = [apply(s, entries) for s in report.submissions]
    header = report.model_dump(exclude={"submissions"})
    info = RunInfo(header=RunHeader(**header), out=out, plan=SheetPlan.from_reports(submissions),
                   students=len(submissions))
    write_all(info, submissions, None, io.StringIO())
    sheets = sorted(p.name for p in out.glob("grades*.csv"))
    return ["report.json", *sheets, *(s.feedback_file for s in submissions if s.student in entries)]
