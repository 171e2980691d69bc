"""The grade sheets (``grades.csv``, or one per assignment) and ``--format csv``.

A row holds each question's automatic points, then ``automatic``, ``manual_pending`` (text
items still awaiting an instructor), ``manual`` (entered by hand), ``total``, ``status`` and,
for a submission with status ``error``, the ``reason``. The second row gives the points
possible: automatic per question, then the automatic and the manual maximum, and their sum.
Every cell a student could have chosen is made a plain-text cell (``grader.escape.cell``).
"""

from __future__ import annotations

import csv
from typing import IO, Any, TextIO

from grader import escape
from grader.outputs import QuestionColumn, RunInfo, register, register_file
from grader.report import SubmissionReport, points_text, round_points
from grader.store import AtomicFile

MAX_REASON = 120


def header(columns: tuple[QuestionColumn, ...]) -> list[str]:
    return ["student", *[q.id for q in columns], "automatic", "manual_pending", "manual", "total", "status",
            "reason"]


def possible(columns: tuple[QuestionColumn, ...]) -> list[str]:
    automatic = round_points(sum(q.max_points for q in columns))
    manual = round_points(sum(q.manual_max_points for q in columns))
    if not columns:
        return ["(points possible)", "", "", "", "", "", ""]
    return ["(points possible)", *[points_text(q.max_points) for q in columns], points_text(automatic), "",
            points_text(manual), points_text(automatic + manual), "", ""]


def row(report: SubmissionReport, columns: tuple[QuestionColumn, ...]) -> list[str]:
    """A submission's row (its questions in ``columns`` order)."""
    by_id = {q.id: q for q in report.questions}
    cells = [escape.cell(report.student)]
    for column in columns:
        question = by_id.get(column.id)
        if question is None:
            cells.append("")
        elif (automatic := [i for i in question.items if not i.manual]) and all(
                i.outcome == "not-gradable" for i in automatic):
            cells.append("n/a")
        else:
            cells.append(points_text(question.points))
    cells += [points_text(report.points), points_text(report.pending_manual_points),
              points_text(report.manual_points), points_text(report.total), report.status, reason(report)]
    return cells


def reason(report: SubmissionReport) -> str:
    """A short, single-line reason for an ``error`` status ("" otherwise)."""
    if report.status != "error" or not report.error:
        return ""
    text = " ".join(report.error.split())
    return escape.cell(text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…")


def _writer(stream: IO[str], columns: tuple[QuestionColumn, ...]) -> Any:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerows([header(columns), possible(columns)])
    return writer


@register_file("sheets")
class Sheets:
    """Every grade sheet of the plan; sheets of an earlier run that this one does not write are
    removed, so none is left to be uploaded by mistake."""

    def __init__(self, info: RunInfo) -> None:
        self.out, self.plan = info.out, info.plan
        self.files: dict[str, tuple[AtomicFile, Any, tuple[QuestionColumn, ...]]] = {}
        for assignment in self.plan.questions or {"": ()}:
            self._open(self.plan.sheet_of(assignment or None))

    def _open(self, name: str) -> tuple[AtomicFile, Any, tuple[QuestionColumn, ...]]:
        if name not in self.files:
            columns = self.plan.columns_of(name)
            target = AtomicFile(self.out / name)
            self.files[name] = (target, _writer(target.handle, columns), columns)
        return self.files[name]

    def add(self, report: SubmissionReport) -> None:
        _, writer, columns = self._open(self.plan.sheet_of(report.assignment))
        writer.writerow(row(report, columns))

    def close(self) -> None:
        for target, _, _ in self.files.values():
            target.commit()
        for stale in set(self.out.glob("grades*.csv")) - {self.out / name for name in self.files}:
            stale.unlink(missing_ok=True)

    def discard(self) -> None:
        for target, _, _ in self.files.values():
            target.discard()


@register("csv")
class SheetStream:
    """``--format csv``: the class's one grade sheet on stdout (a mixed class is refused earlier)."""

    def __init__(self, info: RunInfo, stream: TextIO) -> None:
        self.columns = next(iter(info.plan.questions.values()), ())
        self.writer = _writer(stream, self.columns)

    def add(self, report: SubmissionReport) -> None:
        self.writer.writerow(row(report, self.columns))

    def close(self) -> None:
        pass
