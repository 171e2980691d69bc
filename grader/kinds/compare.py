"""Structural comparison of a reported value with the expected one.

Checks run in a fixed order: type, shape, finite, values. Messages name the
place and what was got, and never print an expected value unless allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader import tolerance
from grader.kinds.base import Problem, Reason
from grader.values import Value, shape_text


@dataclass(frozen=True)
class Rule:
    """How numbers are compared."""

    atol: float
    rtol: float
    norm_below: float | None = None
    norm_dtype: str = "float32"

    def text(self) -> str:
        if self.norm_below is not None:
            return f"norm of the difference in {self.norm_dtype} < {self.norm_below:g}"
        if self.atol == 0 and self.rtol == 0:
            return "exact equality"
        return tolerance.describe_rule(self.atol, self.rtol)


def as_number(value: Value) -> float | None:
    """A real number from an int, a float or a 0-d numeric array; bools are not numbers."""
    if value.t in ("int", "float"):
        return float(value.v)
    if value.t == "array" and value.shape == () and value.kind in "fiu" and value.array is not None:
        return float(value.array)
    return None


def as_array(value: Value) -> tuple[np.ndarray | None, str]:
    """A float64 array from an array, a tensor or nested lists of numbers, or why not."""
    if value.t == "array":
        if value.kind == "b":
            return None, "an array of bools, not numbers"
        if value.kind not in "fiu" or value.array is None:
            return None, f"an array of dtype kind {value.kind!r}, not numbers"
        return value.array, ""
    if value.t == "seq":
        if value.src in ("set", "frozenset"):
            return None, f"a {value.src}, which has no order"
        return _nested(value)
    return None, value.describe()


def _nested(value: Value) -> tuple[np.ndarray | None, str]:
    rows: list[np.ndarray | np.float64] = []
    for item in value.items:
        number = as_number(item) if item.t != "array" else None
        if number is not None:
            rows.append(np.float64(number))
            continue
        if item.t in ("seq", "array"):
            sub, problem = as_array(item)
            if sub is None:
                return None, problem
            rows.append(sub)
            continue
        return None, f"a {value.src} containing {item.describe()}"
    shapes = {np.shape(r) for r in rows}
    if len(shapes) > 1:
        return None, f"a ragged {value.src} (rows of different lengths)"
    return np.array(rows, dtype=np.float64).reshape((len(rows), *next(iter(shapes), ()))), ""


def compare(expected: Value, actual: Value, rule: Rule, where: str, *, reveal: bool = False) -> list[str]:
    """Problems found comparing ``actual`` with ``expected`` at ``where``; empty when it passes.
    Each is a ``Problem``, tagged with its ``Reason``."""
    if expected.t == "map":
        return _compare_map(expected, actual, rule, where, reveal)
    if expected.t == "seq":
        return _compare_seq(expected, actual, rule, where, reveal)
    if expected.t == "array" and expected.shape != ():
        return _compare_array(expected, actual, rule, where, reveal)
    if as_number(expected) is not None:
        return _compare_number(expected, actual, rule, where, reveal)
    if expected.t in ("str", "bool", "none") and (actual.t, actual.v) != (expected.t, expected.v):
        return [Problem(f"{where} is {actual.describe()} with a different value", Reason.WRONG_VALUE)]
    return []


def _compare_map(expected: Value, actual: Value, rule: Rule, where: str, reveal: bool) -> list[str]:
    if actual.t != "map":
        return [Problem(f"{where} is {actual.describe()}, expected a dict with keys {sorted(expected.keys)}",
                        Reason.WRONG_TYPE)]
    missing = sorted(set(expected.keys) - set(actual.keys))
    if missing:
        return [Problem(f"{where} has no key {', '.join(map(repr, missing))}", Reason.WRONG_SHAPE)]
    problems: list[str] = []
    for key, item in zip(expected.keys, expected.items, strict=True):
        got = actual.get(key)
        assert got is not None
        problems += compare(item, got, rule, f"{where}[{key!r}]", reveal=reveal)
    return problems


def _compare_seq(expected: Value, actual: Value, rule: Rule, where: str, reveal: bool) -> list[str]:
    if actual.t != "seq":
        return [Problem(f"{where} is {actual.describe()}, expected a {expected.src} of length "
                        f"{len(expected.items)}", Reason.WRONG_TYPE)]
    if len(actual.items) != len(expected.items):
        return [Problem(f"{where} has length {len(actual.items)}, expected {len(expected.items)}", Reason.WRONG_SHAPE)]
    problems: list[str] = []
    for i, (want, got) in enumerate(zip(expected.items, actual.items, strict=True)):
        problems += compare(want, got, rule, f"{where}[{i}]", reveal=reveal)
    return problems


def _compare_number(expected: Value, actual: Value, rule: Rule, where: str, reveal: bool) -> list[str]:
    want = as_number(expected)
    got = as_number(actual)
    if got is None:
        return [Problem(f"{where} is {actual.describe()}, expected a real number", Reason.WRONG_TYPE)]
    assert want is not None
    return _values(np.array(want), np.array(got), rule, where, reveal)


def _compare_array(expected: Value, actual: Value, rule: Rule, where: str, reveal: bool) -> list[str]:
    got, problem = as_array(actual)
    if got is None:
        return [Problem(f"{where} is {problem}, expected an array of shape {shape_text(expected.shape)}",
                        Reason.WRONG_TYPE)]
    if got.shape != expected.shape:
        return [Problem(f"{where} has shape {shape_text(got.shape)}, expected {shape_text(expected.shape)}",
                        Reason.WRONG_SHAPE)]
    assert expected.array is not None
    return _values(expected.array, got, rule, where, reveal)


def _values(want: np.ndarray, got: np.ndarray, rule: Rule, where: str, reveal: bool) -> list[str]:
    if not np.all(np.isfinite(got)):
        bad = int(np.sum(~np.isfinite(got)))
        return [Problem(f"{where} has {bad} non-finite entr{'y' if bad == 1 else 'ies'} (nan or inf)",
                        Reason.NOT_FINITE)]
    if rule.norm_below is not None:
        if tolerance.norm_within(want, got, rule.norm_below, rule.norm_dtype):
            return []
        return [Problem(f"{where} is too far from the expected value ({rule.text()} fails)", Reason.WRONG_VALUE)]
    ok = tolerance.within(want, got, rule.atol, rule.rtol)
    if np.all(ok):
        return []
    hint = f"; expected {np.array2string(want, precision=6)}" if reveal else ""
    off = "not equal to the expected value" if rule.atol == rule.rtol == 0 else "not within tolerance"
    if got.ndim == 0:
        return [Problem(f"{where} = {float(got):.6g} is {off}{hint}", Reason.WRONG_VALUE)]
    first = tuple(int(i) for i in np.argwhere(~ok)[0])
    return [Problem(f"{where}: {int(np.sum(~ok))} of {ok.size} entries are {off} (first at index {first}){hint}",
                    Reason.WRONG_VALUE)]
