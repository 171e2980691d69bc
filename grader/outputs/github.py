"""GitHub Actions: the job summary and annotations, on when Actions sets their variables.

- ``GITHUB_STEP_SUMMARY`` set: a Markdown summary is appended to that file at the end of the
  run: each grade sheet as a table, each question's mean, and the students with status
  ``error`` and why. Every text a student controls is escaped for Markdown
  (``escape.markdown``): a file name cannot become a link, HTML or a forged row.
- ``GITHUB_ACTIONS=true``: an ``::error`` workflow command for each failure whose file and
  line are known (a line that raised, a syntax error), which GitHub shows on that line.
  They go to **stderr**, which the runner reads for workflow commands just as it reads stdout
  (actions/runner ``ScriptHandler``), so that stdout holds nothing but the ``--format``
  output (JSON, JUnit, the classroom document) when a pipeline redirects it. Messages and
  properties are escaped by GitHub's rules (``escape.workflow_data``, ``workflow_property``):
  no text of a student's can end the command's line and start a command of its own
  (``::add-mask::``, ``::stop-commands::``, a forged ``::notice``). GitHub shows 10 error
  annotations a step; the first ``MAX_ANNOTATIONS`` are written and the rest counted.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from grader import escape
from grader.outputs import RunInfo, register_file
from grader.outputs.sheets import header, row
from grader.report import ItemReport, Location, SubmissionReport, points_text

MAX_ROWS = 500  # students shown in the summary's tables (the step summary holds 1 MiB at most)
MAX_ERRORS = 50
MAX_ANNOTATIONS = 10
MAX_REASON = 200
PASSED = {"correct", "manual", "flagged", "not-gradable"}


@dataclass
class _Sheet:
    rows: list[str] = field(default_factory=list)
    count: int = 0
    sums: dict[str, float] = field(default_factory=dict)
    automatic: float = 0.0


@register_file("github-summary")
class StepSummary:
    """Appends the run's Markdown summary to ``$GITHUB_STEP_SUMMARY``, when it is set."""

    def __init__(self, info: RunInfo) -> None:
        self.target = os.environ.get("GITHUB_STEP_SUMMARY", "")
        self.plan = info.plan
        self.title = info.header.assignment or "class"
        self.sheets: dict[str, _Sheet] = {}
        self.errors: list[str] = []
        self.error_count = 0
        self.shown = 0

    def add(self, report: SubmissionReport) -> None:
        if not self.target:
            return
        name = self.plan.sheet_of(report.assignment)
        sheet = self.sheets.setdefault(name, _Sheet())
        sheet.count += 1
        sheet.automatic += report.points
        for question in report.questions:
            sheet.sums[question.id] = sheet.sums.get(question.id, 0.0) + question.points
        if self.shown < MAX_ROWS:
            cells = row(report, self.plan.columns_of(name))[:-1]
            cells[0] = escape.markdown(report.student)
            sheet.rows.append("| " + " | ".join(cells) + " |")
            self.shown += 1
        if report.status == "error":
            self.error_count += 1
            if len(self.errors) < MAX_ERRORS:
                reason = " ".join((report.error or "").split())[:MAX_REASON]
                self.errors.append(f"- {escape.markdown(report.student)}: {escape.markdown(reason)}")

    def close(self) -> None:
        if not self.target:
            return
        with open(self.target, "a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(self.markdown())

    def markdown(self) -> str:
        total = sum(sheet.count for sheet in self.sheets.values())
        lines = ["## Grades", "", f"{total} submissions graded; {self.error_count} with status error."]
        for name, sheet in self.sheets.items():
            lines += self._sheet(name, sheet)
        if self.errors:
            lines += ["", "### Status error", "", *self.errors]
            if self.error_count > len(self.errors):
                lines.append(f"- and {self.error_count - len(self.errors)} more (see the grade sheets)")
        return "\n".join(lines) + "\n\n"

    def _sheet(self, name: str, sheet: _Sheet) -> list[str]:
        columns = self.plan.columns_of(name)
        names = header(columns)[:-1]
        title = name.removeprefix("grades-").removesuffix(".csv") if self.plan.mixed else self.title
        lines = ["", f"### {escape.markdown(title)}", "", "| " + " | ".join(names) + " |",
                 "|" + " --- |" * len(names), *sheet.rows]
        if len(sheet.rows) < sheet.count:
            lines.append(f"\n{sheet.count - len(sheet.rows)} more students: see {escape.markdown(name)}.")
        if columns and sheet.count:
            means = [f"| {q.id} | {points_text(sheet.sums.get(q.id, 0.0) / sheet.count)} | "
                     f"{points_text(q.max_points)} |" for q in columns]
            automatic = points_text(sheet.automatic / sheet.count)
            possible = points_text(sum(q.max_points for q in columns))
            lines += ["", "| question | mean | max |", "| --- | --- | --- |", *means,
                      f"| automatic | {automatic} | {possible} |"]
        return lines


@register_file("github-annotations")
class Annotations:
    """``::error file=…,line=…::`` on stderr for failures at a known line, under Actions."""

    def __init__(self, info: RunInfo) -> None:
        self.enabled = os.environ.get("GITHUB_ACTIONS") == "true"
        self.lines: list[str] = []
        self.seen: set[tuple[str, int | None, int | None]] = set()
        self.more = 0

    def add(self, report: SubmissionReport) -> None:
        if not self.enabled:
            return
        if report.error_location is not None:
            self._note(report.error_location, f"{report.student}: could not be loaded", report.error or "")
        for question, item in report.items():
            if item.location is not None and item.outcome.value not in PASSED:
                self._note(item.location, _title(report, question, item), item.feedback)

    def _note(self, where: Location, title: str, message: str) -> None:
        key = (where.file, where.cell, where.line)
        if key in self.seen:
            return
        self.seen.add(key)
        if len(self.lines) >= MAX_ANNOTATIONS:
            self.more += 1
            return
        self.lines.append(command(where, title, message))

    def close(self) -> None:
        if not self.enabled:
            return
        for line in self.lines:
            print(line, file=sys.stderr)
        if self.more:
            print(f"note: {self.more} more failures at a known line were not annotated (GitHub shows "
                  f"{MAX_ANNOTATIONS} a step): see the feedback files", file=sys.stderr)
        sys.stderr.flush()


def _title(report: SubmissionReport, question: str, item: ItemReport) -> str:
    return f"{report.student} {question}/{item.name}: {item.outcome.value}"


def command(where: Location, title: str, message: str) -> str:
    """One ``::error`` workflow command. In a notebook, the line is the cell's, which is no line
    of the .ipynb file: it is named in the title, and the annotation goes on the file."""
    properties = [f"file={escape.workflow_property(where.file)}"]
    if where.cell is not None:
        title += f" (cell {where.cell}" + (f", line {where.line})" if where.line else ")")
    elif where.line:
        properties.append(f"line={where.line}")
    properties.append(f"title={escape.workflow_property(title)}")
    return f"::error {','.join(properties)}::{escape.workflow_data(message)}"
