"""Numbers with a shape: lists, tuples, numpy arrays or torch tensors."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from grader.kinds import register
from grader.kinds.base import Problem, Reason
from grader.kinds.compare import as_array
from grader.kinds.numeric import NumericItem
from grader.values import Value, shape_text


@register
class ArrayItem(NumericItem):
    """An array the homework asks the student to compute."""

    kind: Literal["array"] = "array"
    shape: list[int] = Field(description="The exact shape expected; broadcasting never passes.")

    def value_problem(self, value: Value) -> str:
        problem = self.type_problem(value)
        array, _ = as_array(value)
        if not problem and array is not None and not np.all(np.isfinite(array)):
            return "has non-finite entries (nan or inf)"
        return problem

    def type_problem(self, value: Value) -> str:
        array, problem = as_array(value)
        expected = shape_text(tuple(self.shape))
        if array is None:
            return f"is {problem}, expected an array of shape {expected}"
        if array.shape != tuple(self.shape):
            return Problem(f"has shape {shape_text(array.shape)}, expected {expected}", Reason.WRONG_SHAPE)
        return ""
