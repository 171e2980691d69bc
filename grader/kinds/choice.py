"""One value from a listed set: strings compared case-folded, indices as ints."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.kinds import register
from grader.kinds.base import ItemBase, Verdict, verdict_without_answer
from grader.kinds.evidence import Evidence
from grader.values import Value


@register
class ChoiceItem(ItemBase):
    """A choice among listed options."""

    kind: Literal["choice"] = "choice"
    options: list[str] | list[int] = Field(
        min_length=2, description="The options: strings, or the int indices of listed formulas."
    )

    def check(self, evidence: Evidence) -> Verdict:
        early = verdict_without_answer(self.name, evidence.observed)
        if early:
            return early
        actual = evidence.observed.value
        assert actual is not None and evidence.expected.value is not None
        chosen, problem = self.normalize(actual)
        if problem:
            return Verdict.wrong(f"`{self.name}` {problem}.")
        expected, _ = self.normalize(evidence.expected.value)
        if chosen == expected:
            return Verdict.correct(f"`{self.name}` is correct.")
        for alternate, value in evidence.expected.alternates:
            if self.normalize(value)[0] == chosen:
                return alternate.verdict()
        return Verdict.wrong(f"`{self.name}` is a listed option, but not the right one.")

    def form_problem(self, value: Value) -> str:
        return self.normalize(value)[1]

    def normalize(self, value: Value) -> tuple[str | int | None, str]:
        """The option the value picks, or why it picks none."""
        if isinstance(self.options[0], int):
            if value.t != "int":
                return None, f"is {value.describe()}, expected an int option index"
            if value.v not in self.options:
                return None, f"is {value.v}, expected one of the indices {self.options}"
            return value.v, ""
        if value.t != "str":
            return None, f"is {value.describe()}, expected one of {self.options}"
        folded = value.v.strip().casefold()
        if folded not in {str(o).casefold() for o in self.options}:
            return None, f"is {value.v[:40]!r}, expected one of {self.options}"
        return folded, ""
