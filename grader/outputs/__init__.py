"""The outputs of a run: every format is one module over the typed reports.

An output is told about the run (``RunInfo``), then handed each submission's report in
student order, then closed. The run's files (report.json, the grade sheets, the feedback
files) are always written; one *format* also goes to stdout (``--format``). Formats
register themselves by name::

    @register("junit")
    class JUnit:
        def __init__(self, info: RunInfo, stream: TextIO) -> None: ...
        def add(self, report: SubmissionReport) -> None: ...
        def close(self) -> None: ...

and a new one is that module plus one import line in ``_formats`` below. Nothing in the
pipeline knows a format by name. The outputs stream: none of them holds every report at
once, so memory stays flat however large the class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from grader.report import RunHeader, SubmissionReport

if TYPE_CHECKING:
    from grader.diff import Regrade

__all__ = ["FILES", "FORMATS", "Output", "QuestionColumn", "RunInfo", "SheetPlan", "register", "register_file",
           "write_all"]


@dataclass(frozen=True)
class QuestionColumn:
    """One question's column in a grade sheet."""

    id: str
    max_points: float
    manual_max_points: float


@dataclass(frozen=True)
class SheetPlan:
    """Which grade sheet each submission's row goes to, and each sheet's question columns.

    One assignment (or none): ``grades.csv`` holds everyone, unresolved submissions as
    ``error`` rows. Several: ``grades-<assignment>.csv`` each, and ``grades-unresolved.csv``
    for the submissions whose assignment could not be told. No student is in no sheet.
    """

    questions: dict[str, tuple[QuestionColumn, ...]]  # assignment -> its questions

    @property
    def mixed(self) -> bool:
        return len(self.questions) > 1

    def sheet_of(self, assignment: str | None) -> str:
        if not self.mixed:
            return "grades.csv"
        return f"grades-{assignment}.csv" if assignment in self.questions else "grades-unresolved.csv"

    def columns_of(self, sheet: str) -> tuple[QuestionColumn, ...]:
        for assignment, columns in self.questions.items():
            if self.sheet_of(assignment) == sheet:
                return columns
        return ()

    @classmethod
    def from_reports(cls, reports: Iterable[SubmissionReport]) -> SheetPlan:
        """The plan a run made, read back from its reports (``grader manual`` rewrites sheets)."""
        found: dict[str, tuple[QuestionColumn, ...]] = {}
        for report in reports:
            if report.assignment and report.questions and report.assignment not in found:
                found[report.assignment] = tuple(QuestionColumn(q.id, q.max_points, q.manual_max_points)
                                                 for q in report.questions)
        return cls(dict(sorted(found.items())))


@dataclass
class RunInfo:
    """What every output knows about the run before the first report."""

    header: RunHeader
    out: Path
    plan: SheetPlan
    students: int
    notes: list[str] = field(default_factory=list)
    rubrics: dict[str, str] = field(default_factory=dict)  # assignment -> its rubric's digest
    # A re-grade compared with the report it replaces: fed as the reports stream, complete when
    # the outputs are closed (None on a first run).
    changes: Regrade | None = None


class Output(Protocol):
    """One output format or file, fed the reports one at a time.

    ``close`` finishes it; a file output that has not been closed leaves no trace (an
    interrupted run never replaces a complete file with a partial one).
    """

    def add(self, report: SubmissionReport) -> None: ...
    def close(self) -> None: ...


Factory = Callable[[RunInfo, TextIO], Output]
FORMATS: dict[str, Factory] = {}  # --format NAME: what is printed on stdout
FILES: dict[str, Callable[[RunInfo], Output]] = {}  # written to the output folder on every run


def register(name: str) -> Callable[[Factory], Factory]:
    """Make ``factory`` the ``--format name`` output."""
    def add(factory: Factory) -> Factory:
        FORMATS[name] = factory
        return factory
    return add


def register_file(name: str) -> Callable[[Callable[[RunInfo], Output]], Callable[[RunInfo], Output]]:
    """Make ``factory`` an output written to the output folder on every run."""
    def add(factory: Callable[[RunInfo], Output]) -> Callable[[RunInfo], Output]:
        FILES[name] = factory
        return factory
    return add


def write_all(info: RunInfo, reports: Iterable[SubmissionReport], fmt: str | None, stream: TextIO) -> None:
    """Every file output, and the ``fmt`` format on ``stream``, in one pass over ``reports``."""
    _formats()
    outputs = [factory(info) for factory in FILES.values()]
    if fmt is not None:
        outputs.append(FORMATS[fmt](info, stream))
    try:
        for report in reports:
            for output in outputs:
                output.add(report)
    except BaseException:
        for output in outputs:
            getattr(output, "discard", lambda: None)()
        raise
    for output in outputs:
        output.close()


def _formats() -> None:
    """Import every output module once, so that each registers itself."""
    from grader.outputs import (  # noqa: F401
        classroom,
        feedback,
        github,
        gradescope,
        html,
        junit,
        report_json,
        sheets,
        table,
    )
