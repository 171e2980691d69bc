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


@dataclass(frozen=True)
class Check:
    """One consistency check, shown under ``question``."""

    question: str
    name: str
    run: Callable[[Namespace, Namespace], Outcome]


def checks_for(assignment: str) -> list[Check]:
    """The consistency checks of an assignment."""
    from grader.selfchecks import jhu_hw3, mit_backprop, nyu_hw1

    return {"jhu-hw3": jhu_hw3.CHECKS, "mit-backprop": mit_backprop.CHECKS, "nyu-hw1": nyu_hw1.CHECKS}.get(
        assignment, [])
