"""A real number: int, float or numpy scalar; never a bool."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.kinds import register
from grader.kinds.base import ItemBase, Verdict
from grader.kinds.compare import Rule, as_number
from grader.kinds.evidence import Evidence
from grader.kinds.numeric import check_numeric, evaluated
from grader.values import Value


@register
class NumberItem(ItemBase):
    """A number the homework asks the student to compute."""

    kind: Literal["number"] = "number"
    atol: float = Field(default=5e-4, ge=0, description="Absolute tolerance.")
    rtol: float = Field(default=1e-3, ge=0, description="Relative tolerance.")
    exact: bool = Field(
        default=False, description="Compare exactly, as integers are: 0, 0.0 and -0.0 are equal, 0.4 is not 0 "
        "(atol and rtol are then unused).")
    expressions: bool = Field(
        default=False, description="Also accept strings in the course's calculator syntax, such as "
        "`\"e^15/(e^15+1)\"` (see grader.expr), evaluated by the grader and then compared as numbers.")

    @property
    def tolerance(self) -> tuple[float, float] | None:
        return (0.0, 0.0) if self.exact else (self.atol, self.rtol)

    def form_problem(self, value: Value) -> str:
        value, problem = evaluated(value) if self.expressions else (value, "")
        return problem or _not_a_number(value)

    def check(self, evidence: Evidence) -> Verdict:
        rule = Rule(*self.tolerance or (0.0, 0.0))
        return check_numeric(self.name, evidence, rule, _not_a_number, reveal=self.visible,
                             expressions=self.expressions)


def _not_a_number(value: Value) -> str:
    if value.t == "bool":
        return "is a bool; a number is expected (True and False are not numbers here)"
    if as_number(value) is None:
        return f"is {value.describe()}, expected a real number"
    return ""
