"""What every answer kind shares: the rubric fields, the observations and the verdict."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field

from pydantic import Field

from grader.probes import Frozen
from grader.protocol import StepStatus
from grader.values import Value, decode


class Outcome(enum.StrEnum):
    """What happened to one item."""

    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"
    MISSING = "missing"
    ERROR = "error"
    TIMEOUT = "timeout"
    MANUAL = "manual"
    FLAGGED = "flagged"
    NOT_GRADABLE = "not-gradable"


class Alternate(Frozen):
    """A named convention that earns part of the credit, with its own feedback."""

    name: str = Field(description="Short name of the convention, e.g. 'mean'.")
    credit: float = Field(ge=0, le=1, description="Fraction of the item's points it earns.")
    feedback: str = Field(description="What the student is told when their answer matches it.")
    reference: str = Field(
        description="Name, in the solutions module, of the value or function giving this convention."
    )


class ItemBase(Frozen):
    """Fields every item has."""

    name: str = Field(description="The name the student defines, e.g. `Q1B_W_NEW`.")
    visible: bool = Field(
        default=False,
        description="Whether feedback may show the reference value. When false, feedback says what "
        "is wrong without it.",
    )
    alternates: list[Alternate] = Field(default=[], description="Partial-credit conventions.")
    source: str = Field(
        default="theory",
        description="Where the name lives: `theory` (the module with ASSIGNMENT) or "
        "`implementation` (mlp.py, or the theory module when it defines the class).",
    )

    @property
    def needs_torch(self) -> bool:
        return False

    @property
    def is_manual(self) -> bool:
        return False

    def form_problem(self, value: Value) -> str:
        """What is wrong with the value's form (type, shape, options), needing no reference."""
        return ""


class Observed:
    """What the child reported for one lookup or one call: a claim, never trusted as a score.

    ``raw`` is the encoded value as compact JSON text; it is decoded (and validated) only when
    a check needs more than "is it byte for byte the reference's value".
    """

    __slots__ = ("_value", "autograd", "message", "mutated", "raw", "status")

    def __init__(self, status: StepStatus, value: Value | None = None, message: str = "",
                 mutated: tuple[str, ...] = (), autograd: bool = False, raw: str | None = None) -> None:
        self.status = status
        self._value = value
        self.message = message
        self.mutated = mutated
        self.autograd = autograd
        self.raw = raw

    @property
    def value(self) -> Value | None:
        if self._value is None and self.raw is not None:
            try:
                self._value = decode(json.loads(self.raw))
            except (KeyError, ValueError, TypeError, RecursionError):
                self._value = Value("error", v="a malformed report")
        return self._value

    def same_as(self, raw: str | None) -> bool:
        """Whether the report is exactly the reference's encoded value (so every check passes)."""
        return self.raw is not None and raw is not None and self.raw == raw


@dataclass
class Verdict:
    """The result of checking one item."""

    outcome: Outcome
    fraction: float = 0.0
    feedback: list[str] = field(default_factory=list)

    @classmethod
    def correct(cls, *lines: str) -> Verdict:
        return cls(Outcome.CORRECT, 1.0, list(lines))

    @classmethod
    def wrong(cls, *lines: str) -> Verdict:
        return cls(Outcome.WRONG, 0.0, list(lines))


def unusable(name: str, observed: Observed) -> Verdict | None:
    """The verdict when no value could be read at all, else None."""
    if observed.status == "ok":
        return None
    if observed.status == "missing":
        return Verdict(Outcome.MISSING, 0.0, [f"`{name}` is not defined. {observed.message}".strip()])
    if observed.status == "timeout":
        return Verdict(Outcome.TIMEOUT, 0.0, [observed.message or f"`{name}` timed out."])
    return Verdict(Outcome.ERROR, 0.0, [observed.message or f"`{name}` could not be read."])
