"""A boolean."""

from __future__ import annotations

from typing import Literal

from grader.kinds import register
from grader.kinds.base import ItemBase, Verdict, verdict_without_answer
from grader.kinds.evidence import Evidence
from grader.values import Value


@register
class FlagItem(ItemBase):
    """A yes/no answer given as a bool."""

    kind: Literal["flag"] = "flag"

    def form_problem(self, value: Value) -> str:
        return "" if value.t == "bool" else f"is {value.describe()}, expected True or False"

    def check(self, evidence: Evidence) -> Verdict:
        early = verdict_without_answer(self.name, evidence.observed)
        if early:
            return early
        actual = evidence.observed.value
        assert actual is not None and evidence.expected.value is not None
        if actual.t != "bool":
            return Verdict.wrong(f"`{self.name}` is {actual.describe()}, expected True or False.")
        if actual.v == evidence.expected.value.v:
            return Verdict.correct(f"`{self.name}` is correct.")
        return Verdict.wrong(f"`{self.name}` is not right.")
