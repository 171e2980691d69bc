"""Free text: pending manual review, its points kept apart from the automatic score."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Literal

from grader.kinds import register
from grader.kinds.base import ItemBase, Outcome, Verdict, verdict_without_value
from grader.kinds.evidence import Evidence, Expected
from grader.protocol import StepResult
from grader.steps import Step
from grader.values import Value


@register
class TextItem(ItemBase):
    """A written answer an instructor scores by hand."""

    kind: Literal["text"] = "text"

    @property
    def is_manual(self) -> bool:
        return True

    def expected(self, key: str, module: ModuleType, seed: int) -> Expected:
        return Expected()  # nothing to compare with: an instructor reads it

    def answer(self, module: ModuleType) -> Any:
        return None

    def form_problem(self, value: Value) -> str:
        return "" if value.t == "str" else f"is {value.describe()}, expected text (a string)"

    def self_test(self, value: Value, calls: list[StepResult], steps: list[Step]) -> tuple[str, str]:
        problem = self.form_problem(value)
        if problem:
            return "fix", f"{self.name} {problem}"
        written = bool(value.v.strip())
        return ("ok" if written else "todo"), f"{self.name} is {'written' if written else 'empty'} (graded by hand)"

    def check(self, evidence: Evidence) -> Verdict:
        early = verdict_without_value(self.name, evidence.observed)
        if early:
            return early
        actual = evidence.observed.value
        assert actual is not None
        if actual.t == "none" or (actual.t == "str" and not actual.v.strip()):
            return Verdict(Outcome.MISSING, 0.0, [f"`{self.name}` is empty: not answered."])
        if actual.t != "str":
            return Verdict.wrong(f"`{self.name}` is {actual.describe()}, expected text (a string).")
        return Verdict(Outcome.MANUAL, 0.0, [f"`{self.name}` is pending manual review."])
