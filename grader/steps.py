"""The unit of work a child runs: read a value, call a function on a probe, run a cell.

Item steps are the same for every student of an assignment and are built once per run
(``SharedSteps``); only the load steps differ from one submission to the next.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from grader.limits import VALUE_SECONDS


@dataclass(frozen=True)
class Step:
    """One unit of work in the child, with its own time limit."""

    body: dict[str, Any]
    limit: float
    item: str = ""
    probe: int = -1
    cell: int = 0
    label: str = ""  # how feedback names the step: "cell 3", "hw3.py", "reading `GRADS`"

    @property
    def is_load(self) -> bool:
        return not self.item

    def wire(self) -> dict[str, Any]:
        return {**self.body, "limit": self.limit}


def read_step(key: str, name: str, source: str) -> Step:
    """Read the value the student defines under ``name`` (in ``source``: theory or implementation)."""
    return Step({"op": "value", "name": name, "source": source}, VALUE_SECONDS, item=key, label=f"reading `{name}`")


@dataclass(frozen=True)
class SharedSteps:
    """Item steps that every submission of an assignment shares, sent to each worker once with
    the assignment's profile (``grader.profile``), which the worker installs.

    They hold probe inputs only (never an expected output), so a warm worker may keep them.
    """

    id: str
    steps: list[Step]
    data: bytes

    @classmethod
    def of(cls, steps: list[Step], assignment: str = "", profile: list[str] | None = None) -> SharedSteps:
        """``profile``: the sources of the assignment's profile (``assignments.profile_sources``)."""
        data = json.dumps({"assignment": assignment, "profile": profile or [],
                           "steps": [step.wire() for step in steps]}).encode()
        return cls(hashlib.sha256(data).hexdigest()[:16], steps, data)
