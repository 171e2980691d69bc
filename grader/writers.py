"""Writing what a run found: report.json, grades.csv, feedback files and the terminal table.

Each writer streams over the stored results, one submission at a time, so
memory stays flat however large the class.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tabulate import tabulate

from grader.store import FEEDBACK, atomic_open, atomic_write

TABLE_CHUNK = 500
SAFE_NAME = re.compile(r"[^\w .()+,@-]")
MANUAL = "manual.csv"


@dataclass(frozen=True)
class Sheet:
    """One grade sheet: its file, header, points-possible row and question columns."""

    path: Path
    columns: list[str]
    possible: list[Any]
    questions: list[str]


def write_results(report_path: Path, header: dict[str, Any], reports: Iterable[dict[str, Any]],
                  sheets: dict[str, Sheet], manual: dict[str, dict[str, float]]) -> None:
    """report.json and every grade sheet, in one pass over the stored reports.

    With one sheet every report gets a row in it; with several (a mixed class), each report
    goes to its assignment's sheet.
    """
    with contextlib.ExitStack() as stack:
        report_out = stack.enter_context(atomic_open(report_path))
        writers = {}
        for name, sheet in sheets.items():
            writers[name] = _sheet_writer(stack.enter_context(atomic_open(sheet.path)), sheet.columns,
                                          sheet.possible)
        only = next(iter(sheets)) if len(sheets) == 1 else None
        for report in _stream_report(report_out, header, reports):
            name = only if only is not None else report["assignment"]
            if name in writers:
                writers[name].writerow(grade_row(report, manual, sheets[name].questions))


def _stream_report(out: IO[str], header: dict[str, Any],
                   reports: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Write the report's JSON, passing on each submission once it is written."""
    head = json.dumps({**header, "submissions": []}, indent=2)
    out.write(head[: head.rindex("[") + 1] + "\n")
    for i, report in enumerate(reports):
        out.write((",\n" if i else "") + "    " + json.dumps(report))
        yield report
    out.write("\n  ]\n}\n")


def print_report(out: IO[str], header: dict[str, Any], reports: Iterable[dict[str, Any]]) -> None:
    """The same JSON on a stream (``--format json``)."""
    for _ in _stream_report(out, header, reports):
        pass


def feedback_path(out: Path, student: str) -> Path:
    """``feedback/<id>.md``; an id with unsafe characters gets a hash suffix, so names never collide."""
    safe = SAFE_NAME.sub("_", student)
    if safe != student or safe.startswith("."):
        safe = f"{safe.lstrip('.')}-{hashlib.sha256(student.encode()).hexdigest()[:8]}"
    return out / FEEDBACK / f"{safe}.md"


def write_feedback(out: Path, report: dict[str, Any]) -> None:
    """One Markdown file a student can be handed."""
    atomic_write(feedback_path(out, report["student"]), feedback_markdown(report))


def feedback_markdown(report: dict[str, Any]) -> str:
    lines = [f"# Feedback for {report['student']}", ""]
    lines.append(f"Assignment: `{report['assignment']}`. Source: `{report['source']}`.")
    lines.append(f"Automatic score: **{fmt(report['points'])} / {fmt(report['max_points'])}**.")
    if report["pending_manual_points"]:
        lines.append(f"Pending manual review: {fmt(report['pending_manual_points'])} points.")
    if report.get("not_gradable_points"):
        lines.append(f"Not gradable on this machine: {fmt(report['not_gradable_points'])} points.")
    if report["status"] == "error":
        lines += ["", f"**Problem:** {report['error']}"]
    for warning in report.get("warnings", []):
        lines.append(f"- Note: {warning}")
    for question in report["questions"]:
        lines += ["", f"## {question['id']}: {fmt(question['points'])} / {fmt(question['max_points'])}", ""]
        lines += [f"- `{i['name']}` ({i['outcome']}, {fmt(i['points'])}/{fmt(i['max_points'])}): "
                  + i["feedback"].replace("\n", "\n  ") for i in question["items"]]
    return "\n".join(lines) + "\n"


def fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def read_manual(out: Path) -> dict[str, dict[str, float]]:
    """Manual scores entered by instructors: student -> {question/item: points}."""
    path = out / MANUAL
    scores: dict[str, dict[str, float]] = {}
    if not path.exists():
        return scores
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            scores.setdefault(row["student"], {})[row["item"]] = float(row["points"])
    return scores


def grade_rows(reports: Iterable[dict[str, Any]], manual: dict[str, dict[str, float]],
               questions: list[str]) -> Iterator[list[Any]]:
    """One grades.csv row per submission: automatic points per question, then manual and totals."""
    for report in reports:
        yield grade_row(report, manual, questions)


def grade_row(report: dict[str, Any], manual: dict[str, dict[str, float]], questions: list[str]) -> list[Any]:
    """A submission's grades.csv row."""
    by_id = {q["id"]: q for q in report["questions"]}
    awaiting = {f"{q['id']}/{i['name']}": i["max_points"] for q in report["questions"]
                for i in q["items"] if i["outcome"] == "manual"}
    entered = {k: min(v, awaiting[k]) for k, v in manual.get(report["student"], {}).items() if k in awaiting}
    pending = sum(m for k, m in awaiting.items() if k not in entered)
    manual_points = sum(entered.values())
    row = [spreadsheet_safe(report["student"])]
    row += [_cell(by_id.get(q)) for q in questions]
    row += [fmt(report["points"]), fmt(pending), fmt(manual_points),
            fmt(report["points"] + manual_points), report["status"]]
    return row


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading = + - @ would make it a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cell(question: dict[str, Any] | None) -> str:
    if question is None:
        return ""
    if question["items"] and all(i["outcome"] == "not-gradable" for i in question["items"]):
        return "n/a"
    return fmt(question["points"])


def write_grades(path: Path, header: list[str], possible: list[Any], rows: Iterable[list[Any]]) -> None:
    """A grade sheet from rows made by ``grade_rows``."""
    with atomic_open(path) as out:
        _sheet_writer(out, header, possible).writerows(rows)


def _sheet_writer(out: IO[str], header: list[str], possible: list[Any]) -> Any:
    """A CSV writer on ``out`` that has written the sheet's header and points-possible rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([header, possible])
    return writer


def sheet_rows(path: Path) -> Iterator[list[str]]:
    """The student rows of a grade sheet written by ``write_results``."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader, None)  # the header
        next(reader, None)  # points possible
        yield from reader


def print_table(out: IO[str], header: list[str], rows: Iterable[list[Any]], widths: list[int]) -> None:
    """The terminal table, printed in chunks with fixed column widths."""
    padded = [h.ljust(w) for h, w in zip(header, widths, strict=True)]
    chunk: list[list[str]] = []
    first = True
    for row in rows:
        chunk.append([str(c).ljust(w) for c, w in zip(row, widths, strict=True)])
        if len(chunk) == TABLE_CHUNK:
            _emit(out, padded, chunk, first)
            chunk, first = [], False
    if chunk or first:
        _emit(out, padded, chunk, first)


def _emit(out: IO[str], header: list[str], rows: list[list[str]], first: bool) -> None:
    text = tabulate(rows, headers=header, tablefmt="simple", disable_numparse=True)
    lines = text.splitlines()
    out.write("\n".join(lines if first else lines[2:]) + "\n")
