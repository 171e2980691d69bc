"""``--format table``: the grade sheets as terminal tables, the default on stdout.

Student ids and reasons are shown with their control characters escaped: a file name cannot
move the cursor, recolour or redraw the table, nor give a CI log a workflow command. Long ones are cut to the column's width.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from tabulate import tabulate

from grader import escape
from grader.outputs import QuestionColumn, RunInfo, register
from grader.outputs.sheets import header, row
from grader.report import QuestionReport, SubmissionReport, points_text

MAX_ID_WIDTH = 40
MAX_REASON_WIDTH = 60
TABLE_CHUNK = 500


@register("table")
class Table:
    """One table per grade sheet, printed once the run's reports are all in."""

    def __init__(self, info: RunInfo, stream: TextIO) -> None:
        self.stream, self.plan = stream, info.plan
        self.rows: dict[str, list[list[str]]] = {}
        self.questions: dict[str, dict[str, QuestionLine]] = {}  # sheet -> question id -> its line

    def add(self, report: SubmissionReport) -> None:
        sheet = self.plan.sheet_of(report.assignment)
        cells = row(report, self.plan.columns_of(sheet))
        cells[0] = _cut(escape.terminal(report.student), MAX_ID_WIDTH)
        cells[-1] = _cut(escape.terminal(" ".join((report.error or "").split())), MAX_REASON_WIDTH)
        self.rows.setdefault(sheet, []).append(cells)
        if report.status == "graded":
            lines = self.questions.setdefault(sheet, {})
            for question in report.questions:
                lines.setdefault(question.id, QuestionLine(question.id, question.max_points)).add(question)

    def close(self) -> None:
        for sheet, rows in self.rows.items():
            if len(self.rows) > 1:
                print(f"\n{sheet.removeprefix('grades-').removesuffix('.csv')}", file=self.stream)
            _print(self.stream, self.plan.columns_of(sheet), rows)
            lines = [line.text() for line in self.questions.get(sheet, {}).values() if line.max_points]
            if lines:
                width = max(len(line.id) for line in self.questions[sheet].values())
                print("\n" + "\n".join(_aligned(lines, width)), file=self.stream)


@dataclass
class QuestionLine:
    """One question under the table: mean, share at full marks, most common failure."""

    id: str
    max_points: float
    n: int = 0
    points: float = 0.0
    full: int = 0
    failures: Counter[str] = field(default_factory=Counter)

    def add(self, question: QuestionReport) -> None:
        self.n += 1
        self.points += question.points
        self.full += question.points >= question.max_points
        self.failures.update(i.failure for i in question.items if not i.manual and i.points < i.max_points)

    def text(self) -> str:
        mean = points_text(self.points / self.n) if self.n else "-"
        full = f"{self.full / self.n:.0%}" if self.n else "-"
        common = self.failures.most_common(1)
        failure = f"{common[0][0]} ({common[0][1]})" if common else "none"
        return f"{self.id}\tmean {mean} / {points_text(self.max_points)}, {full} at full marks, most common failure: {failure}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print(stream: TextIO, columns: tuple[QuestionColumn, ...], rows: list[list[str]]) -> None:
    """The table in chunks with fixed column widths, so a class of thousands prints at once."""
    names = header(columns)
    show_reason = any(r[-1] for r in rows)
    if not show_reason:
        names, rows = names[:-1], [r[:-1] for r in rows]
    widths = [max(len(names[0]), *(len(r[0]) for r in rows))] if rows else [len(names[0])]
    widths += [max(len(n), 6) for n in names[1:]]
    if show_reason:
        widths[-1] = max(len(names[-1]), *(len(r[-1]) for r in rows))
    padded = [n.ljust(w) for n, w in zip(names, widths, strict=True)]
    for start in range(0, max(len(rows), 1), TABLE_CHUNK):
        chunk = [[c.ljust(w) for c, w in zip(r, widths, strict=True)] for r in rows[start:start + TABLE_CHUNK]]
        lines = tabulate(chunk, headers=padded, tablefmt="simple", disable_numparse=True).splitlines()
        stream.write("\n".join(lines if start == 0 else lines[2:]) + "\n")


def _aligned(lines: list[str], width: int) -> list[str]:
    """The lines with their question ids padded to one width."""
    return [f"{head.ljust(width)}  {tail}" for head, _, tail in (line.partition("\t") for line in lines)]
