"""What report.html says about a class, gathered one report at a time in compact counters.

Per assignment: each question's and item's points, outcomes, conventions matched and failure
reasons, and per student only a row of numbers and short texts (a few hundred bytes), so a
class of 10,000 stays a few megabytes. Everything here is plain data; ``_page`` renders it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from grader.report import ItemReport, SubmissionReport, points_text

MIN_FOR_DISCRIMINATION = 4  # fewer graded submissions than this: no index
_EXCEPTION = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning))\b")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_NUMBER = re.compile(r"\d+")


@dataclass
class Tally:
    """Points and outcomes of one item or question across the graded submissions."""

    max_points: float
    n: int = 0
    points: float = 0.0
    full: int = 0
    partial: int = 0
    zero: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def add(self, points: float, outcome: str) -> None:
        self.n += 1
        self.points += points
        self.outcomes[outcome] += 1
        if points >= self.max_points > 0:
            self.full += 1
        elif points > 0:
            self.partial += 1
        else:
            self.zero += 1

    @property
    def mean(self) -> float:
        return self.points / self.n if self.n else 0.0


@dataclass
class ItemStats:
    """One item of a question."""

    question: str
    name: str
    kind: str
    manual: bool
    tally: Tally
    conventions: Counter[str] = field(default_factory=Counter)
    credit: dict[str, float] = field(default_factory=dict)  # convention -> fraction of the points it earned
    reasons: Counter[str] = field(default_factory=Counter)
    not_gradable: int = 0
    pending: int = 0

    @property
    def key(self) -> str:
        return f"{self.question}/{self.name}"


@dataclass
class QuestionStats:
    id: str
    tally: Tally
    manual_max_points: float
    items: list[ItemStats]


@dataclass
class StudentRow:
    """What the student tables show of one submission."""

    student: str
    status: str
    reason: str
    points: float
    max_points: float
    pending: float
    manual: float
    total: float
    questions: tuple[str, ...]
    feedback_file: str
    pending_items: tuple[tuple[str, float], ...]


@dataclass
class AssignmentStats:
    """One assignment's questions, items and students."""

    name: str
    questions: list[QuestionStats]
    max_points: float
    rows: list[StudentRow] = field(default_factory=list)
    totals: list[float] = field(default_factory=list)  # automatic points of every submission
    ranked: list[tuple[float, bytes]] = field(default_factory=list)  # graded: total, full marks per item, question

    @classmethod
    def of(cls, report: SubmissionReport) -> AssignmentStats:
        questions = [QuestionStats(q.id, Tally(q.max_points), q.manual_max_points,
                                   [ItemStats(q.id, i.name, i.kind, i.manual, Tally(i.max_points)) for i in q.items])
                     for q in report.questions]
        return cls(report.assignment or "unresolved", questions, report.max_points)

    def add(self, report: SubmissionReport) -> None:
        self.rows.append(_row(report))
        self.totals.append(report.points)
        if report.status != "graded" or not report.questions:
            return
        by_id = {q.id: q for q in report.questions}
        bits = bytearray()
        for question in self.questions:
            found = by_id.get(question.id)
            if found is None:
                continue
            items = {i.name: i for i in found.items}
            for stats in question.items:
                item = items.get(stats.name)
                full = _add_item(stats, item) if item is not None else None
                if full is not None:
                    bits.append(full)
            question.tally.add(found.points, "")
            bits.append(found.points >= question.tally.max_points > 0)
        self.ranked.append((report.points, bytes(bits)))

    def discrimination(self) -> dict[str, float | None]:
        """The upper-lower index of each automatic item and question, by key (question id alone)."""
        keys = [k for q in self.questions for k in [*(i.key for i in q.items if not i.manual), q.id]]
        if len(self.ranked) < MIN_FOR_DISCRIMINATION or any(len(b) != len(keys) for _, b in self.ranked):
            return dict.fromkeys(keys)
        ordered = sorted(self.ranked, key=lambda r: r[0])
        half = len(ordered) // 2
        lower, upper = ordered[:half], ordered[-half:]
        return {key: (sum(b[i] for _, b in upper) - sum(b[i] for _, b in lower)) / half
                for i, key in enumerate(keys)}

    def median(self) -> float:
        return statistics.median(self.totals) if self.totals else 0.0


def _add_item(stats: ItemStats, item: ItemReport) -> int | None:
    """Count one item; whether it got full marks (None for a text item, which is not ranked)."""
    if item.manual:
        stats.pending += item.outcome == "manual" and item.manual_points is None
        return None
    if item.outcome == "not-gradable":
        stats.not_gradable += 1
        return 0
    stats.tally.add(item.points, str(item.outcome))
    if item.convention:
        stats.conventions[item.convention] += 1
        stats.credit[item.convention] = item.points / item.max_points if item.max_points else 0.0
    if item.points < item.max_points:
        stats.reasons[item.failure] += 1
    return int(item.points >= item.max_points > 0)


def _row(report: SubmissionReport) -> StudentRow:
    pending = tuple((f"{q}/{i.name}", i.max_points) for q, i in report.items()
                    if i.manual and i.outcome == "manual" and i.manual_points is None)
    return StudentRow(report.student, report.status, error_kind(report), report.points, report.max_points,
                      report.pending_manual_points, report.manual_points, report.total,
                      tuple(points_text(q.points) for q in report.questions), report.feedback_file, pending)


def error_kind(report: SubmissionReport) -> str:
    """A status ``error``'s reason in words that several students' errors share: the exception's
    name when there is one, else the message without the quoted parts, numbers and file name."""
    if report.status != "error" or not report.error:
        return ""
    found = _EXCEPTION.search(report.error)
    if found:
        return found.group(1)
    text = " ".join(report.error.split()).replace(report.source.rsplit("/", 1)[-1], "<file>")
    text = _NUMBER.sub("N", _QUOTED.sub("'…'", text))
    return text if len(text) <= 80 else text[:79] + "…"
