"""A list of step names whose order must respect the reference's constraints."""

from __future__ import annotations

from types import ModuleType
from typing import Literal

from pydantic import Field

from grader.kinds import register
from grader.kinds.base import ItemBase, Verdict, verdict_without_answer
from grader.kinds.evidence import Evidence, Expected, plain, reference_attribute
from grader.values import Value


@register
class OrderItem(ItemBase):
    """An ordering of named steps, all or nothing."""

    kind: Literal["order"] = "order"
    steps: list[str] = Field(min_length=2, description="The step names, each used exactly once.")
    constraints: str = Field(
        description="Name, in the solutions module, of the list of (before, after) pairs."
    )

    def expected(self, key: str, module: ModuleType, seed: int) -> Expected:
        found = super().expected(key, module, seed)
        found.aux[self.constraints] = plain(reference_attribute(module, self.constraints))
        return found

    def check(self, evidence: Evidence) -> Verdict:
        early = verdict_without_answer(self.name, evidence.observed)
        if early:
            return early
        actual = evidence.observed.value
        assert actual is not None
        names, problem = self._names(actual)
        if problem:
            return Verdict.wrong(f"`{self.name}` {problem}.")
        broken = [
            pair for pair in _pairs(evidence.expected.aux[self.constraints])
            if names.index(pair[0]) > names.index(pair[1])
        ]
        if broken:
            return Verdict.wrong(f"`{self.name}` puts {len(broken)} pair(s) of steps in the wrong order.")
        return Verdict.correct(f"`{self.name}` is in a valid order.")

    def form_problem(self, value: Value) -> str:
        return self._names(value)[1]

    def _names(self, value: Value) -> tuple[list[str], str]:
        if value.t != "seq" or any(item.t != "str" for item in value.items):
            return [], f"is {value.describe()}, expected a list of the step names {self.steps}"
        names = [item.v.strip().casefold() for item in value.items]
        if sorted(names) != sorted(self.steps):
            return [], f"must list each of {self.steps} exactly once"
        return names, ""


def _pairs(value: Value) -> list[tuple[str, str]]:
    return [(pair.items[0].v, pair.items[1].v) for pair in value.items]
