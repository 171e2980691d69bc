"""Numbers with a shape: lists, tuples, numpy arrays or torch tensors."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from grader.kinds import register
from grader.kinds.base import ItemBase, Verdict
from grader.kinds.compare import Rule, as_array
from grader.kinds.evidence import Evidence
from grader.kinds.numeric import check_numeric
from grader.values import Value, shape_text


@register
class ArrayItem(ItemBase):
    """An array the homework asks the student to compute."""

    kind: Literal["array"] = "array"
    shape: list[int] = Field(description="The exact shape expected; broadcasting never passes.")
    atol: float = Field(default=5e-4, ge=0, description="Absolute tolerance.")
    rtol: float = Field(default=1e-3, ge=0, description="Relative tolerance.")

    @property
    def tolerance(self) -> tuple[float, float] | None:
        return self.atol, self.rtol

    def check(self, evidence: Evidence) -> Verdict:
        rule = Rule(self.atol, self.rtol)
        return check_numeric(self.name, evidence, rule, self._type_problem, reveal=self.visible)

    def form_problem(self, value: Value) -> str:
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
            return f"has shape {shape_text(array.shape)}, expected {expected}"
        return ""
