"""Numbers with a shape: lists, tuples, numpy arrays or torch tensors."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from grader.kinds import register
from grader.kinds.base import ItemBase, Problem, Reason, Verdict
from grader.kinds.compare import Rule, as_array
from grader.kinds.evidence import Evidence
from grader.kinds.numeric import check_numeric, evaluated
from grader.values import Value, shape_text


@register
class ArrayItem(ItemBase):
    """An array the homework asks the student to compute."""

    kind: Literal["array"] = "array"
    shape: list[int] = Field(description="The exact shape expected; broadcasting never passes.")
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

    def check(self, evidence: Evidence) -> Verdict:
        rule = Rule(*self.tolerance or (0.0, 0.0))
        return check_numeric(self.name, evidence, rule, self._type_problem, reveal=self.visible,
                             expressions=self.expressions)

    def form_problem(self, value: Value) -> str:
        value, problem = evaluated(value) if self.expressions else (value, "")
        if problem:
            return problem
        problem = self._type_problem(value)
        array, _ = as_array(value)
        if not problem and array is not None and not np.all(np.isfinite(array)):
            return "has non-finite entries (nan or inf)"
        return problem

    def _type_problem(self, value: Value) -> str:
        array, problem = as_array(value)
        expected = shape_text(tuple(self.shape))
        if array is None:
            return f"is {problem}, expected an array of shape {expected}"
        if array.shape != tuple(self.shape):
            return Problem(f"has shape {shape_text(array.shape)}, expected {expected}", Reason.WRONG_SHAPE)
        return ""
