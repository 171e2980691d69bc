"""Free text: pending manual review, its points kept apart from the automatic score."""

from __future__ import annotations

from typing import Literal

from grader.kinds import register
from grader.kinds.base import ItemBase, Outcome, Verdict, unusable
from grader.kinds.evidence import Evidence
from grader.values import Value


@register
class TextItem(ItemBase):
    """A written answer an instructor scores by hand."""

    kind: Literal["text"] = "text"

    @property
    def is_manual(self) -> bool:
        return True

    def form_problem(self, value: Value) -> str:
        return "" if value.t == "str" else f"is {value.describe()}, expected text (a string)"

    def check(self, evidence: Evidence) -> Verdict:
        early = unusable(self.name, evidence.observed)
        if early:
            return early
        actual = evidence.observed.value
        assert actual is not None
        if actual.t == "none" or (actual.t == "str" and not actual.v.strip()):
            return Verdict(Outcome.MISSING, 0.0, [f"`{self.name}` is empty: not answered."])
        if actual.t != "str":
            return Verdict.wrong(f"`{self.name}` is {actual.describe()}, expected text (a string).")
        return Verdict(Outcome.MANUAL, 0.0, [f"`{self.name}` is pending manual review."])
