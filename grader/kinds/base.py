"""What every answer kind shares: the rubric fields, the hooks, the observations and the verdict.

A kind is a rubric model (a subclass of ``ItemBase`` with a ``kind`` literal) that says:

- ``child_steps``: what the child does for the item (by default, read the value under its name);
- ``expected``: what the checks compare with, from the reference module (in the parent);
- ``check``: the verdict, from the ``Evidence`` of both sides (the one hook with no default);
- ``self_test``: the self-test's line for the item, from what the child reported;
- ``answer``: what ``grader solve`` prints (None: nothing, as for a function or a text).

Adding a kind is one module that defines such a model, decorated with
``grader.kinds.register``, and one import line in ``grader/kinds/__init__.py``.
"""

from __future__ import annotations

import abc
import enum
import json
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pydantic import Field

from grader.kinds.evidence import Evidence, Expected, plain, reference_attribute
from grader.model import Frozen
from grader.protocol import StepStatus
from grader.steps import Step, read_step
from grader.values import Value, decode

__all__ = ["Alternate", "ItemBase", "Observed", "Outcome", "Problem", "Reason", "Verdict", "verdict_without_answer",
           "verdict_without_value"]

if TYPE_CHECKING:
    from grader.probes import Probe
    from grader.protocol import StepResult


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

    def verdict(self) -> Verdict:
        """The one rule for every kind: full credit is correct, some is partial, none is wrong."""
        outcome = Outcome.CORRECT if self.credit >= 1 else Outcome.PARTIAL if self.credit > 0 else Outcome.WRONG
        return Verdict(outcome, self.credit, [self.feedback], convention=self.name)


class ItemBase(Frozen, abc.ABC):
    """Fields every item has, and the hooks of a kind (see the module's docstring)."""

    kind: str = Field(description="The item's kind; each kind's model fixes it (`number`, `function`, ...).")
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
        "`implementation` (the rubric's implementation module, or the theory module when it defines "
        "its names).",
    )

    @property
    def lookup(self) -> str:
        """The name read in the student's code (a function item may read another, ``target``)."""
        return self.name

    @property
    def needs_torch(self) -> bool:
        return False

    @property
    def is_manual(self) -> bool:
        """Graded by hand: its points are never automatic."""
        return False

    @property
    def tolerance(self) -> tuple[float, float] | None:
        """(atol, rtol) when the item's answer is compared by the tolerance rule."""
        return None

    @property
    def watches_autograd(self) -> bool:
        """Whether the item is flagged for review when torch autograd is used."""
        return False

    def verify(self, question: str) -> None:
        """Checks of the item that need more than its own fields; ``ValueError`` names the problem."""

    def draw_probes(self, key: str, seed: int) -> list[Probe]:
        """The inputs the item is called on, if it is called at all."""
        return []

    def child_steps(self, key: str, probes: list[Probe]) -> list[Step]:
        """What the child does for the item: read the value under its name."""
        return [read_step(key, self.lookup, self.source)]

    def expected(self, key: str, module: ModuleType, seed: int) -> Expected:
        """The reference's value under the item's name, and each alternate's."""
        found = Expected.of(reference_attribute(module, self.name))
        found.alternates = [(alt, plain(reference_attribute(module, alt.reference))) for alt in self.alternates]
        return found

    def answer(self, module: ModuleType) -> Any:
        """What ``grader solve`` prints for the item: the reference's value (None for nothing)."""
        return reference_attribute(module, self.name)

    @abc.abstractmethod
    def check(self, evidence: Evidence) -> Verdict:
        """The verdict on the student's answer."""

    def form_problem(self, value: Value) -> str:
        """What is wrong with the value's form (type, shape, options), needing no reference."""
        return ""

    def self_test(self, value: Value, calls: list[StepResult], steps: list[Step]) -> tuple[str, str]:
        """The self-test's mark (ok, fix, todo) and text for a value that is there and not None."""
        problem = self.form_problem(value)
        return ("fix", f"{self.lookup} {problem}") if problem else ("ok", f"{self.lookup} has the right form")


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
    reason: str = ""  # why it failed, one of ``Reason``, for counting across a class
    convention: str = ""  # the alternate it matched, by name

    @classmethod
    def correct(cls, *lines: str) -> Verdict:
        return cls(Outcome.CORRECT, 1.0, list(lines))

    @classmethod
    def wrong(cls, *lines: str) -> Verdict:
        """Wrong, for the reason the first line carries when it is a ``Problem``."""
        return cls(Outcome.WRONG, 0.0, list(lines), reason=getattr(lines[0], "reason", "") if lines else "")


class Reason(enum.StrEnum):
    """Why an item lost points, in a few words that can be counted across a class."""

    MISSING = "missing"
    NOT_WRITTEN = "not written"
    WRONG_TYPE = "wrong type"
    WRONG_SHAPE = "wrong shape"
    NOT_FINITE = "not finite"
    WRONG_VALUE = "wrong value"
    RAISED = "raised"
    TIMEOUT = "timeout"
    CHANGED_INPUT = "changed its input"
    NOT_RUN = "not run"  # the submission as a whole could not be run


class Problem(str):
    """A problem's text, tagged with its ``Reason``: a plain string to everything else."""

    reason: str

    def __new__(cls, text: str, reason: str) -> Problem:
        made = super().__new__(cls, text)
        made.reason = reason
        return made


def verdict_without_value(name: str, observed: Observed) -> Verdict | None:
    """The verdict when no value could be read at all, else None."""
    if observed.status == "ok":
        return None
    if observed.status == "missing":
        return Verdict(Outcome.MISSING, 0.0, [f"`{name}` is not defined. {observed.message}".strip()],
                       reason=Reason.MISSING)
    if observed.status == "timeout":
        return Verdict(Outcome.TIMEOUT, 0.0, [observed.message or f"`{name}` timed out."], reason=Reason.TIMEOUT)
    return Verdict(Outcome.ERROR, 0.0, [observed.message or f"`{name}` could not be read."], reason=Reason.RAISED)


def verdict_without_answer(name: str, observed: Observed) -> Verdict | None:
    """``verdict_without_value``, and for a value of None (a template's blank): not answered yet."""
    early = verdict_without_value(name, observed)
    if early is None and observed.value is not None and observed.value.t == "none":
        return Verdict(Outcome.MISSING, 0.0, [f"`{name}` is None: not answered yet."])
    return early
