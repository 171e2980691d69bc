"""The one tolerance rule, written once."""

from __future__ import annotations

import numpy as np

RULE = "|actual - expected| <= atol + rtol*|expected|"


def within(expected: np.ndarray, actual: np.ndarray, atol: float, rtol: float) -> np.ndarray:
    """Elementwise mask of the entries of ``actual`` that pass the rule."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.abs(actual - expected) <= atol + rtol * np.abs(expected)


def describe_rule(atol: float, rtol: float) -> str:
    """The rule with its numbers, for feedback."""
    return f"{RULE} with atol={atol:g}, rtol={rtol:g}"


def norm_within(expected: np.ndarray, actual: np.ndarray, below: float, dtype: str) -> bool:
    """The course's criterion: the norm of the difference, in ``dtype``, is below ``below``."""
    diff = actual.astype(dtype) - expected.astype(dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.linalg.norm(diff.astype(np.float64).ravel()) < below)
