"""The report models: the source of truth for report.json and its JSON Schema.

Points are automatic points out of the automatic maximum everywhere; the points of text
items, graded by hand, are counted apart (``manual_max_points``, ``manual_points``) and
shown beside them. Points and maxima are rounded the same way (``round_points``), so that
an item never shows more points than it is worth.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.kinds.base import Outcome

REPORT_SCHEMA_VERSION = 2
DECIMALS = 6


def round_points(value: float) -> float:
    """Points as every report keeps them: 6 decimals (an item worth 8/3 is 2.666667 of 2.666667)."""
    return round(value + 0.0, DECIMALS)


def points_text(value: float) -> str:
    """Points as a person reads them: ``2.5``, ``24``, ``2.67``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(_Model):
    """Where in a student's file something went wrong: a raising line, a syntax error."""

    file: str = Field(description="The file, as the submission's path was given (`class/alice.py`, "
                      "`class/bob/hw.ipynb`).")
    line: int | None = Field(default=None, description="The line: in the file, or in the notebook cell.")
    cell: int | None = Field(default=None, description="The notebook cell (numbered from 1), for a notebook.")


class ItemReport(_Model):
    """The outcome of one item."""

    name: str = Field(description="The item's name in the student's code.")
    kind: str = Field(description="The item's kind in the rubric: number, array, function, choice, ...")
    outcome: Outcome = Field(description="What happened to the item.")
    points: float = Field(description="Automatic points earned (0 for a text item: see manual_points).")
    max_points: float = Field(description="Points the item is worth.")
    manual: bool = Field(default=False, description="Graded by hand (a text item): its points are not automatic.")
    manual_points: float | None = Field(
        default=None, description="Points an instructor entered with `grader manual`; null while pending.")
    manual_comment: str = Field(default="", description="The instructor's comment on those points.")
    feedback: str = Field(description="What was checked, what was got and why it failed.")
    reason: str = Field(
        default="", description="Why it lost points, in words that can be counted across a class: missing, "
        "not written, wrong type, wrong shape, not finite, wrong value, raised, timeout, changed its input, "
        "not run (the submission could not be run); empty when it lost none.")
    convention: str = Field(
        default="", description="The name of the rubric's alternate convention the answer matched, if any "
        "(e.g. `mean`).")
    location: Location | None = Field(
        default=None, description="Where its code raised, when student code raised while it was checked.")

    @property
    def failure(self) -> str:
        """Why it fell short of full marks, in words counted across a class."""
        return f"matched {self.convention}" if self.convention else self.reason or str(self.outcome)


class QuestionReport(_Model):
    """The outcome of one question."""

    id: str = Field(description="The question id, e.g. `q1b`.")
    points: float = Field(description="Automatic points earned.")
    max_points: float = Field(description="Automatic points the question is worth.")
    manual_max_points: float = Field(default=0.0, description="Points of its text items, graded by hand.")
    pending_manual_points: float = Field(description="Points of text items still awaiting an instructor.")
    items: list[ItemReport] = Field(description="The question's items.")


class SubmissionReport(_Model):
    """The grading of one student's submission."""

    student: str = Field(description="File name without extension, or folder name; made unique in the class.")
    assignment: str | None = Field(description="The assignment it was graded as.")
    source: str = Field(description="The path it was read from.")
    feedback_file: str = Field(default="", description="Its feedback file, relative to the output folder.")
    status: Literal["graded", "error"] = Field(
        description="`error` when the submission could not be loaded or its module did not finish "
        "loading; items it did define are still checked and scored."
    )
    error: str | None = Field(description="Why the status is `error`.")
    points: float = Field(description="Automatic points earned.")
    max_points: float = Field(description="Automatic points possible.")
    manual_max_points: float = Field(default=0.0, description="Points of text items, graded by hand.")
    manual_points: float = Field(default=0.0, description="Points entered by hand so far.")
    pending_manual_points: float = Field(description="Points of text items still awaiting an instructor.")
    not_gradable_points: float = Field(
        default=0.0, description="Points of items this machine cannot grade (torch not installed)."
    )
    questions: list[QuestionReport] = Field(description="Per-question results.")
    warnings: list[str] = Field(default=[], description="Things noticed that cost no points.")
    content_hash: str = Field(description="SHA-256 over the submission's files.")
    similarity_hash: str = Field(
        default="", description="SHA-256 over the submission's code with comments, blank lines and "
        "whitespace differences removed (notebooks: their code cells): equal for submissions that differ "
        "only in those. Listed in report.html for review, never used in scoring.")
    error_location: Location | None = Field(
        default=None, description="Where the problem of an `error` status is, when it is a line of its code.")
    seconds: float = Field(description="Wall-clock time spent grading it (excluded from equality).")

    @property
    def total(self) -> float:
        return round_points(self.points + self.manual_points)

    def items(self) -> list[tuple[str, ItemReport]]:
        """Every item with its question id."""
        return [(q.id, item) for q in self.questions for item in q.items]


class RunHeader(_Model):
    """What report.json says about the run, before its submissions."""

    schema_version: int = Field(default=REPORT_SCHEMA_VERSION, description="Version of this format.")
    grader_version: str = Field(description="The grader's version.")
    assignment: str | None = Field(description="The assignment, or null when the class mixes several.")
    seed: int = Field(description="The probe seed; `--seed` replays it.")
    sandbox: str = Field(description="`bwrap` or `none`.")
    torch: bool = Field(description="Whether torch was installed.")
    created: str = Field(description="When the run finished (excluded from equality).")


class RunReport(RunHeader):
    """A whole run: written to report.json."""

    submissions: list[SubmissionReport] = Field(description="One entry per submission, by student id.")
