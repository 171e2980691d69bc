"""What changed between two runs: whose totals moved, from what to what, and which items did it.

``grader diff OUT_A OUT_B`` compares two output folders; ``grader check`` compares a re-grade
with the report.json it replaces (``Regrade``), on stderr and in report.html. Both read a
report.json through ``Reports``, which keeps per student only the total, a digest of the items
and where its line is: a student's items are read back only when the digests differ, so a
class of 10,000 costs a few megabytes. report.json as ``grader`` writes it has one submission
per line; any other valid layout is read whole.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from grader import escape
from grader.errors import UsageError
from grader.report import SubmissionReport, points_text, round_points

REPORT = "report.json"
Items = dict[str, tuple[str, float]]  # "question/item" -> (outcome, points)


class ReportUnreadable(UsageError):
    """A report.json that is missing or is not one ``grader`` wrote."""


@dataclass(frozen=True)
class ItemChange:
    """One item whose outcome or points differ; None on the side where it does not exist."""

    item: str
    before: tuple[str, float] | None
    after: tuple[str, float] | None

    @property
    def points_moved(self) -> bool:
        return (self.before or ("", 0.0))[1] != (self.after or ("", 0.0))[1]

    def text(self) -> str:
        return f"{self.item}: {_side(self.before)} -> {_side(self.after)}"


@dataclass(frozen=True)
class StudentChange:
    """A student whose total or items differ; a total of None: not in that run."""

    student: str
    before: float | None
    after: float | None
    items: tuple[ItemChange, ...]

    @property
    def total_moved(self) -> bool:
        return self.before != self.after

    def causes(self) -> list[ItemChange]:
        """The items whose points moved (all changed items when none did)."""
        return [i for i in self.items if i.points_moved] or list(self.items)

    def causes_text(self, shown: int) -> str:
        """The causes, the first ``shown`` of them named."""
        causes = self.causes()
        more = f"; and {len(causes) - shown} more" if len(causes) > shown else ""
        return "; ".join(i.text() for i in causes[:shown]) + more


def _side(side: tuple[str, float] | None) -> str:
    return "absent" if side is None else f"{side[0]} {points_text(side[1])}"


def compact(report: SubmissionReport) -> tuple[float, Items]:
    """A report's total and its items' outcomes and points (a text item's: entered by hand)."""
    items = {f"{q}/{i.name}": (str(i.outcome), (i.manual_points or 0.0) if i.manual else i.points)
             for q, i in report.items()}
    return report.total, items


def _compact_data(data: Any) -> tuple[float, Items]:
    """The same from a submission as report.json holds it, checked as it is read."""
    if not isinstance(data, dict) or not isinstance(data.get("student"), str):
        raise ValueError("a submission without a student id")
    total = round_points(_number(data.get("points")) + _number(data.get("manual_points", 0.0)))
    items: Items = {}
    for question in _list(data.get("questions")):
        for item in _list(question.get("items") if isinstance(question, dict) else None):
            if not isinstance(item, dict):
                raise ValueError("an item that is not an object")
            points = (item.get("manual_points") or 0.0) if item.get("manual") else item.get("points")
            items[f"{question.get('id')}/{item.get('name')}"] = (str(item.get("outcome")), _number(points))
    return total, items


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} where points were expected")
    return float(value)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("a list was expected")
    return value


def _digest(items: Items) -> int:
    return hash(tuple(sorted(items.items())))


class Reports:
    """One report.json, indexed by student: total, item digest and where to read the rest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index: dict[str, tuple[float, int, int, int]] = {}  # student -> total, digest, offset, length
        self.whole: list[Any] = []  # the submissions, when the file is not one per line
        try:
            self.handle: IO[bytes] = open(path, "rb")  # kept open: a re-grade replaces the file
        except OSError as exc:
            raise ReportUnreadable(f"{path}: cannot be read ({exc.strerror or exc}); is it a grader output "
                                   "folder?") from None
        try:
            self._index()
        except (ValueError, RecursionError) as exc:
            self.handle.close()
            raise ReportUnreadable(f"{path}: not a report.json written by grader ({exc})") from None

    def _index(self) -> None:
        if not self._index_lines():
            self.index.clear()
            self.handle.seek(0)
            data = json.loads(self.handle.read())
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            self.whole = _list(data.get("submissions"))
            for position, entry in enumerate(self.whole):
                total, items = _compact_data(entry)
                self.index[entry["student"]] = (total, _digest(items), -1, position)

    def _index_lines(self) -> bool:
        """Index report.json as grader writes it, one submission per line; False if it is not."""
        offset, inside = 0, False
        for line in self.handle:
            stripped = line.strip()
            if not inside:
                inside = stripped == b'"submissions": ['
            elif stripped.startswith(b"{"):
                entry = json.loads(stripped.rstrip(b","))
                total, items = _compact_data(entry)
                self.index[entry["student"]] = (total, _digest(items), offset, len(line))
            elif stripped != b"]":
                return False
            offset += len(line)
        return inside

    def students(self) -> list[str]:
        return list(self.index)

    def entry(self, student: str) -> tuple[float, Items]:
        _, _, offset, length = self.index[student]
        if offset < 0:
            return _compact_data(self.whole[length])
        self.handle.seek(offset)
        return _compact_data(json.loads(self.handle.read(length).strip().rstrip(b",")))

    def close(self) -> None:
        self.handle.close()


def compare(student: str, before: Reports, after_total: float | None, after_items: Items | None) -> StudentChange | None:
    """How ``student`` changed from ``before``; None if not at all. A student in one run only
    is one change, without its items."""
    known = before.index.get(student)
    if known is None or after_items is None:
        return StudentChange(student, known[0] if known else None, after_total, ())
    if (known[0], known[1]) == (after_total, _digest(after_items)):
        return None
    old_total, old_items = before.entry(student)
    changed = tuple(ItemChange(key, old_items.get(key), after_items.get(key))
                    for key in [*old_items, *(k for k in after_items if k not in old_items)]
                    if old_items.get(key) != after_items.get(key))
    if old_total == after_total and not changed:
        return None
    return StudentChange(student, old_total, after_total, changed)


def diff(a: Reports, b: Reports) -> list[StudentChange]:
    """Every student whose total or items differ between ``a`` and ``b``, in ``a``'s order."""
    changes = []
    for student in [*a.students(), *(s for s in b.students() if s not in a.index)]:
        if student not in b.index:
            found = compare(student, a, None, None)
        elif a.index.get(student, (None, None))[:2] == b.index[student][:2]:
            continue
        else:
            found = compare(student, a, *b.entry(student))
        if found is not None:
            changes.append(found)
    return changes


class Regrade:
    """A re-grade compared, report by report, with the report.json it replaces.

    ``changes`` is complete once every report has been added and ``close`` called.
    """

    def __init__(self, before: Reports) -> None:
        self.before = before
        self.seen: set[str] = set()
        self.changes: list[StudentChange] = []
        self.compared = 0

    @classmethod
    def of(cls, out: Path) -> tuple[Regrade | None, str]:
        """The comparison with ``out``'s report.json, or None and why not (empty: there is none)."""
        path = out / REPORT
        if not path.is_file():
            return None, ""
        try:
            return cls(Reports(path)), ""
        except ReportUnreadable as exc:
            return None, f"no comparison with the previous run: {exc}"

    def add(self, report: SubmissionReport) -> None:
        self.seen.add(report.student)
        self.compared += 1
        total, items = compact(report)
        found = compare(report.student, self.before, total, items)
        if found is not None:
            self.changes.append(found)

    def close(self) -> None:
        for student in self.before.students():
            if student not in self.seen:
                found = compare(student, self.before, None, None)
                if found is not None:
                    self.changes.append(found)
        self.before.close()

    def moved(self) -> list[StudentChange]:
        """The students whose total changed."""
        return [c for c in self.changes if c.total_moved]


def _total(total: float | None) -> str:
    return "absent" if total is None else points_text(total)


def _whose(count: int) -> str:
    return "1 student's total" if count == 1 else f"{count} students' totals"


def summary_lines(regrade: Regrade, out: Path, limit: int = 10) -> list[str]:
    """What a re-grade says on stderr: whose totals moved, from what to what, and why."""
    moved = regrade.moved()
    others = len(regrade.changes) - len(moved)
    tail = f"; {others} more with changed outcomes but the same total" if others else ""
    if not moved:
        return [f"re-grade: no total changed since the previous report in {out}/{tail}"]
    lines = [f"re-grade: {_whose(len(moved))} changed since the previous report in {out}/ "
             f"({regrade.compared} graded now){tail}:"]
    for change in moved[:limit]:
        causes = change.causes()
        listed = ", ".join(escape.terminal(c.text()) for c in causes[:3])
        more = f", and {len(causes) - 3} more" if len(causes) > 3 else ""
        why = f" ({listed}{more})" if causes else ""
        lines.append(f"  {escape.terminal(change.student)}: {_total(change.before)} -> {_total(change.after)}{why}")
    if len(moved) > limit:
        lines.append(f"  and {len(moved) - limit} more (see report.html, or `grader diff`)")
    return lines


# -- grader diff OUT_A OUT_B ------------------------------------------------------------------------

COLUMNS = ["student", "item", "outcome_a", "points_a", "outcome_b", "points_b"]


def rows(changes: list[StudentChange]) -> Iterator[list[str]]:
    """One row per changed total and per changed item."""
    for change in changes:
        if change.total_moved:
            yield [change.student, "(total)", "", _total(change.before), "", _total(change.after)]
        for item in change.items:
            yield [change.student, item.item, *_cells(item.before), *_cells(item.after)]


def _cells(side: tuple[str, float] | None) -> list[str]:
    return ["absent", ""] if side is None else [side[0], points_text(side[1])]


def render(changes: list[StudentChange], fmt: str, a: Path, b: Path, compared: int) -> str:
    """The comparison as a table, JSON or CSV."""
    if fmt == "json":
        return json.dumps({"a": str(a), "b": str(b), "students_compared": compared,
                           "changes": [asdict(c) for c in changes]}, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([escape.cell(cell) for cell in row] for row in rows(changes))
        return buffer.getvalue()
    from tabulate import tabulate

    moved = sum(c.total_moved for c in changes)
    head = f"{a} -> {b}: {compared} students, {moved} totals changed, {len(changes)} with changes\n"
    if not changes:
        return head
    shown = [[escape.terminal(cell) for cell in row] for row in rows(changes)]
    return head + tabulate(shown, headers=COLUMNS, disable_numparse=True) + "\n"


def diff_folders(a: Path, b: Path, fmt: str) -> str:
    """``grader diff``: the comparison of two output folders' report.json."""
    first = Reports(_report_path(a))
    try:
        second = Reports(_report_path(b))
        try:
            changes = diff(first, second)
            compared = len(set(first.index) | set(second.index))
        finally:
            second.close()
    finally:
        first.close()
    return render(changes, fmt, a, b, compared)


def _report_path(folder: Path) -> Path:
    if not folder.is_dir():
        raise ReportUnreadable(f"{folder}: no such output folder")
    return folder / REPORT
