"""Several values from a listed set ("choose all that apply"): order and repeats don't matter."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.kinds import register
from grader.kinds.base import ItemBase, Outcome, Verdict, verdict_without_answer
from grader.kinds.evidence import Evidence
from grader.values import Value


@register
class ChoicesItem(ItemBase):
    """A set of options, given as a set, a list or a tuple of option indices or option texts."""

    kind: Literal["choices"] = "choices"
    options: list[str] = Field(min_length=2, description="The options' texts, in the order listed.")
    credit: Literal["all", "per-option"] = Field(
        default="all", description="`all`: all or nothing. `per-option`: the share of options "
        "rightly chosen or rightly left out.")

    def check(self, evidence: Evidence) -> Verdict:
        early = verdict_without_answer(self.name, evidence.observed)
        if early:
            return early
        actual = evidence.observed.value
        assert actual is not None and evidence.expected.value is not None
        chosen, problem = self.chosen(actual)
        if problem:
            return Verdict.wrong(f"`{self.name}` {problem}.")
        expected, _ = self.chosen(evidence.expected.value)
        if chosen == expected:
            return Verdict.correct(f"`{self.name}` is correct.")
        for alternate, value in evidence.expected.alternates:
            if self.chosen(value)[0] == chosen:
                return alternate.verdict()
        if self.credit == "all":
            return Verdict.wrong(f"`{self.name}` is not the right set of options (all must be right).")
        right = len(self.options) - len(chosen ^ expected)
        return Verdict(Outcome.PARTIAL if right else Outcome.WRONG, right / len(self.options),
                       [f"`{self.name}`: {right} of the {len(self.options)} options are rightly chosen "
                        "or rightly left out."])

    def form_problem(self, value: Value) -> str:
        return self.chosen(value)[1]

    def chosen(self, value: Value) -> tuple[frozenset[int], str]:
        """The indices of the options the value picks, or why it is not a set of options."""
        if value.t != "seq":
            return frozenset(), (f"is {value.describe()}, expected a set, list or tuple of option indices "
                                 f"(0 to {len(self.options) - 1}) or option texts")
        picked = set()
        for item in value.items:
            index, problem = self._index(item)
            if problem:
                return frozenset(), problem
            picked.add(index)
        return frozenset(picked), ""

    def _index(self, item: Value) -> tuple[int, str]:
        if item.t == "int":
            if 0 <= item.v < len(self.options):
                return item.v, ""
            return -1, f"holds {item.v}, expected option indices 0 to {len(self.options) - 1}"
        if item.t == "str":
            folded = item.v.strip().casefold()
            for i, option in enumerate(self.options):
                if option.strip().casefold() == folded:
                    return i, ""
            return -1, f"holds {item.v[:40]!r}, which is not one of the listed options"
        return -1, f"holds {item.describe()}, expected option indices or option texts"
