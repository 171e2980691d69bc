"""The report models: the source of truth for report.json and its JSON Schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.kinds.base import Outcome

REPORT_SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemReport(_Model):
    """The outcome of one item."""

    name: str = Field(description="The item's name in the student's code.")
    outcome: Outcome = Field(description="What happened to the item.")
    points: float = Field(description="Automatic points earned (0 while pending manual review).")
    max_points: float = Field(description="Points the item is worth.")
    feedback: str = Field(description="What was checked, what was got and why it failed.")


class QuestionReport(_Model):
    """The outcome of one question."""

    id: str = Field(description="The question id, e.g. `q1b`.")
    points: float = Field(description="Automatic points earned.")
    max_points: float = Field(description="Points the question is worth.")
    pending_manual_points: float = Field(description="Points of text items awaiting an instructor.")
    items: list[ItemReport] = Field(description="The question's items.")


class SubmissionReport(_Model):
    """The grading of one student's submission."""

    student: str = Field(description="File name without extension, or folder name.")
    assignment: str | None = Field(description="The assignment it was graded as.")
    source: str = Field(description="The path it was read from.")
    status: Literal["graded", "error"] = Field(
        description="`error` when the submission could not be loaded or its module did not finish "
        "loading; items it did define are still checked and scored."
    )
    error: str | None = Field(description="Why the status is `error`.")
    points: float = Field(description="Automatic points earned.")
    max_points: float = Field(description="Points possible.")
    pending_manual_points: float = Field(description="Points awaiting manual review.")
    not_gradable_points: float = Field(
        default=0.0, description="Points of items this machine cannot grade (torch not installed)."
    )
    questions: list[QuestionReport] = Field(description="Per-question results.")
    warnings: list[str] = Field(default=[], description="Things noticed that cost no points.")
    content_hash: str = Field(description="SHA-256 over the submission's files.")
    seconds: float = Field(description="Wall-clock time spent grading it (excluded from equality).")


class RunReport(_Model):
    """A whole run: written to report.json."""

    schema_version: int = Field(default=REPORT_SCHEMA_VERSION, description="Version of this format.")
    grader_version: str = Field(description="The grader's version.")
    assignment: str | None = Field(description="The assignment, or null when the class mixes several.")
    seed: int = Field(description="The probe seed; `--seed` replays it.")
    sandbox: str = Field(description="`bwrap` or `none`.")
    torch: bool = Field(description="Whether torch was installed.")
    created: str = Field(description="When the run finished (excluded from equality).")
    submissions: list[SubmissionReport] = Field(description="One entry per submission, by student id.")
