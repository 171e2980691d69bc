"""The shared check of number and array items against the reference and alternates."""

from __future__ import annotations

from collections.abc import Callable

from grader.kinds.base import Outcome, Verdict, verdict_without_value
from grader.kinds.compare import Rule, compare
from grader.kinds.evidence import Evidence
from grader.values import Value

TypeCheck = Callable[[Value], str]


def check_numeric(name: str, evidence: Evidence, rule: Rule, type_problem: TypeCheck,
                  *, reveal: bool) -> Verdict:
    """present -> type -> shape -> finite -> values, then the alternates."""
    early = verdict_without_value(name, evidence.observed)
    if early:
        return early
    if evidence.observed.same_as(evidence.expected.value_raw):
        return Verdict.correct(f"`{name}` is correct ({rule.text()}).")
    actual = evidence.observed.value
    assert actual is not None and evidence.expected.value is not None
    if actual.t == "none":
        return Verdict(Outcome.MISSING, 0.0, [f"`{name}` is None: not answered yet."])
    problem = type_problem(actual)
    if problem:
        return Verdict.wrong(f"`{name}` {problem}.")
    problems = compare(evidence.expected.value, actual, rule, f"`{name}`", reveal=reveal)
    if not problems:
        return Verdict.correct(f"`{name}` is correct ({rule.text()}).")
    for alternate, value in evidence.expected.alternates:
        if not compare(value, actual, rule, name):
            return alternate.verdict()
    return Verdict.wrong(*problems, f"Checked with {rule.text()}.")
