"""``--format table``: the grade sheets as terminal tables, the default on stdout.

Student ids and reasons are shown with their control characters escaped: a file name cannot
move the cursor, recolour or redraw the table. Long ones are cut to the column's width.
"""

from __future__ import annotations

from typing import TextIO

from tabulate import tabulate

from grader import escape
from grader.outputs import QuestionColumn, RunInfo, register
from grader.outputs.sheets import header, row
from grader.report import SubmissionReport

MAX_ID_WIDTH = 40
MAX_REASON_WIDTH = 60
TABLE_CHUNK = 500


@register("table")
class Table:
    """One table per grade sheet, printed once the run's reports are all in."""

    def __init__(self, info: RunInfo, stream: TextIO) -> None:
        self.stream, self.plan = stream, info.plan
        self.rows: dict[str, list[list[str]]] = {}

    def add(self, report: SubmissionReport) -> None:
        sheet = self.plan.sheet_of(report.assignment)
        cells = row(report, self.plan.columns_of(sheet))
        cells[0] = _cut(escape.visible(report.student), MAX_ID_WIDTH)
        cells[-1] = _cut(escape.visible(" ".join((report.error or "").split())), MAX_REASON_WIDTH)
        self.rows.setdefault(sheet, []).append(cells)

    def close(self) -> None:
        for sheet, rows in self.rows.items():
            if len(self.rows) > 1:
                print(f"\n{sheet.removeprefix('grades-').removesuffix('.csv')}", file=self.stream)
            _print(self.stream, self.plan.columns_of(sheet), rows)


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
