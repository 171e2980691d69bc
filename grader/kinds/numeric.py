"""The shared check of number and array items against the reference and alternates.

An item with ``expressions = true`` also takes strings in the course's calculator syntax
(``"e^15/(e^15+1)"``), alone or as entries of a list: ``grader.expr`` evaluates them here, in
the parent. That is safe by construction (a bounded tokenizer and two stacks, no ``eval``,
no big integers, at most ``MAX_LENGTH`` characters), so a string costs microseconds whatever
it holds, and a hostile one is a clean ``wrong``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable

from pydantic import Field

from grader.expr import ExpressionError, evaluate
from grader.kinds.base import ItemBase, Outcome, Reason, Verdict, verdict_without_answer
from grader.kinds.compare import Rule, compare
from grader.kinds.evidence import Evidence
from grader.values import Value

TypeCheck = Callable[[Value], str]


class NumericItem(ItemBase):
    """What number and array items share: their tolerance, exact comparison and expression
    answers, and the check itself. A kind says only what the right type is (``type_problem``)."""

    atol: float = Field(default=5e-4, ge=0, description="Absolute tolerance.")
    rtol: float = Field(default=1e-3, ge=0, description="Relative tolerance.")
    exact: bool = Field(
        default=False, description="Compare exactly, as integers are: 0, 0.0 and -0.0 are equal, 0.4 is not 0 "
        "(atol and rtol are then unused).")
    expressions: bool = Field(
        default=False, description="Also accept strings in the course's calculator syntax, such as "
        "`\"e^15/(e^15+1)\"` (see grader.expr), evaluated by the grader and then compared as numbers.")

    @property
    def tolerance(self) -> tuple[float, float]:
        return (0.0, 0.0) if self.exact else (self.atol, self.rtol)

    @abc.abstractmethod
    def type_problem(self, value: Value) -> str:
        """Why ``value`` is not of the item's type and shape, or ""."""

    def value_problem(self, value: Value) -> str:
        """Why a reference value of the right type still cannot be the answer, or ""."""
        return self.type_problem(value)

    def check(self, evidence: Evidence) -> Verdict:
        return check_numeric(self.name, evidence, Rule(*self.tolerance), self.type_problem, reveal=self.visible,
                             expressions=self.expressions)

    def form_problem(self, value: Value) -> str:
        value, problem = evaluated(value) if self.expressions else (value, "")
        return problem or self.value_problem(value)


def check_numeric(name: str, evidence: Evidence, rule: Rule, type_problem: TypeCheck,
                  *, reveal: bool, expressions: bool = False) -> Verdict:
    """present -> type -> shape -> finite -> values, then the alternates."""
    early = verdict_without_answer(name, evidence.observed)
    if early:
        return early
    if evidence.observed.same_as(evidence.expected.value_raw):
        return Verdict.correct(f"`{name}` is correct ({rule.text()}).")
    actual = evidence.observed.value
    assert actual is not None and evidence.expected.value is not None
    if expressions:
        actual, problem = evaluated(actual)
        if problem:
            return Verdict.wrong(f"`{name}` {problem}.")
    problem = type_problem(actual)
    if problem:
        return Verdict(Outcome.WRONG, 0.0, [f"`{name}` {problem}."],
                       reason=getattr(problem, "reason", Reason.WRONG_TYPE))
    problems = compare(evidence.expected.value, actual, rule, f"`{name}`", reveal=reveal)
    if not problems:
        return Verdict.correct(f"`{name}` is correct ({rule.text()}).")
    for alternate, value in evidence.expected.alternates:
        if not compare(value, actual, rule, name):
            return alternate.verdict()
    return Verdict.wrong(*problems, f"Checked with {rule.text()}.")


MAX_EXPRESSIONS = 100  # strings evaluated in one answer; each may cost up to a millisecond


def evaluated(value: Value) -> tuple[Value, str]:
    """``value`` with every string (alone, or in a list or tuple) replaced by the number it
    evaluates to; or the value as it is and why a string is not an expression."""
    if _strings(value) > MAX_EXPRESSIONS:
        return value, f"holds more than {MAX_EXPRESSIONS} expressions"
    return _evaluated(value)


def _strings(value: Value) -> int:
    return 1 if value.t == "str" else sum(map(_strings, value.items)) if value.t == "seq" else 0


def _evaluated(value: Value) -> tuple[Value, str]:
    if value.t == "str":
        try:
            return Value("float", evaluate(value.v)), ""
        except ExpressionError as exc:
            return value, f"is a string that is not a valid expression: {exc}"
    if value.t == "seq":
        items = []
        for i, item in enumerate(value.items):
            done, problem = _evaluated(item)
            if problem:
                return value, f"[{i}] {problem}"
            items.append(done)
        return Value("seq", src=value.src, items=tuple(items)), ""
    return value, ""
