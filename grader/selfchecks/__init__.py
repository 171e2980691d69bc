"""Self-test consistency checks: each student function against the homework's own definitions.

These use only what the homework states (the losses and networks), never the
reference solver. A check reports pass or fail and a next step, never a value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Namespace = dict[str, Any]
Outcome = tuple[bool | None, str]  # (passed, message); None means "could not check yet"


Tolerance = tuple[float, float]  # (atol, rtol), the rubric's rule for an item


@dataclass(frozen=True)
class Check:
    """One consistency check, shown under ``question``.

    A check that compares a value the student reports (``compares``, an item name) with what
    their own function gives runs with that item's rubric tolerance, passed as ``tolerance``:
    an answer the grader accepts (rounded to 3 decimals, say) must pass the self-test too.
    """

    question: str
    name: str
    run: Callable[..., Outcome]
    compares: str = ""


def checks_for(assignment: str) -> list[Check]:
    """The consistency checks of an assignment."""
    from grader.selfchecks import jhu_hw3, mit_backprop, nyu_hw1

    return {"jhu-hw3": jhu_hw3.CHECKS, "mit-backprop": mit_backprop.CHECKS, "nyu-hw1": nyu_hw1.CHECKS}.get(
        assignment, [])
