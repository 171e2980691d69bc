"""A real number: int, float or numpy scalar; never a bool."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.kinds import register
from grader.kinds.base import ItemBase, Verdict
from grader.kinds.compare import Rule, as_number
from grader.kinds.evidence import Evidence
from grader.kinds.numeric import check_numeric
from grader.values import Value


@register
class NumberItem(ItemBase):
    """A number the homework asks the student to compute."""

    kind: Literal["number"] = "number"
    atol: float = Field(default=5e-4, ge=0, description="Absolute tolerance.")
    rtol: float = Field(default=1e-3, ge=0, description="Relative tolerance.")

    @property
    def tolerance(self) -> tuple[float, float] | None:
        return self.atol, self.rtol

    def form_problem(self, value: Value) -> str:
        return _not_a_number(value)

    def check(self, evidence: Evidence) -> Verdict:
        rule = Rule(self.atol, self.rtol)
        return check_numeric(self.name, evidence, rule, _not_a_number, reveal=self.visible)


def _not_a_number(value: Value) -> str:
    if value.t == "bool":
        return "is a bool; a number is expected (True and False are not numbers here)"
    if as_number(value) is None:
        return f"is {value.describe()}, expected a real number"
    return ""
