"""A real number: int, float or numpy scalar; never a bool."""

from __future__ import annotations

from typing import Literal

from grader.kinds import register
from grader.kinds.compare import as_number
from grader.kinds.numeric import NumericItem
from grader.values import Value


@register
class NumberItem(NumericItem):
    """A number the homework asks the student to compute."""

    kind: Literal["number"] = "number"

    def type_problem(self, value: Value) -> str:
        return _not_a_number(value)


def _not_a_number(value: Value) -> str:
    if value.t == "bool":
        return "is a bool; a number is expected (True and False are not numbers here)"
    if as_number(value) is None:
        return f"is {value.describe()}, expected a real number"
    return ""
