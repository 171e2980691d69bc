"""``--fail-under``: the score below which a pipeline's step fails.

``--fail-under 18`` is 18 automatic points; ``--fail-under 75%`` is 75 % of the automatic
points possible. It applies to each submission's automatic points (``points`` in
report.json, out of ``max_points``): a run of one submission (a student's repository) fails
when that submission is below, and a class run when any submission is. A submission whose
assignment could not be told (0 of 0 points) is below any threshold above 0. Manual points do
not count: they are not known when the pipeline runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.errors import UsageError

if TYPE_CHECKING:  # the CLI parses --fail-under before the workers start: no pydantic yet
    from grader.report import SubmissionReport


@dataclass(frozen=True)
class Threshold:
    """``value`` points, or, with ``percent``, that share of the automatic maximum."""

    value: float
    percent: bool = False

    def __str__(self) -> str:
        from grader.report import points_text

        return f"{points_text(self.value)}{'%' if self.percent else ''}"

    def below(self, report: SubmissionReport) -> bool:
        if not self.percent:
            return report.points < self.value
        if report.max_points <= 0:
            return self.value > 0
        return report.points < self.value / 100 * report.max_points - 1e-9


def parse(text: str) -> Threshold:
    """``18`` (points) or ``75%`` (of the automatic points possible)."""
    percent = text.strip().endswith("%")
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (percent and value > 100):
        raise UsageError(f"--fail-under {text!r}: expected points (e.g. 18) or a percentage of the automatic "
                         "points possible (e.g. 75%)")
    return Threshold(value, percent)
