"""Everything known about one item when it is checked."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.kinds.base import Alternate, Observed
from grader.probes import Probe
from grader.values import Value


@dataclass
class Evidence:
    """The reference's values and the student's observations for one item."""

    observed: Observed
    expected: Value | None = None
    expected_raw: str | None = None
    alternates: list[tuple[Alternate, Value]] = field(default_factory=list)
    aux: dict[str, Value] = field(default_factory=dict)
    probes: list[Probe] = field(default_factory=list)
    expected_calls: list[Value] = field(default_factory=list)
    expected_calls_raw: list[str] = field(default_factory=list)
    calls: list[Observed] = field(default_factory=list)
    alternate_calls: list[tuple[Alternate, list[Value | None]]] = field(default_factory=list)
    flag: str = ""
