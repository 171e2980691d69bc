"""What a check compares: the reference's side (``Expected``) and the student's (``Evidence``).

``Expected`` is computed once per run in the trusted parent, from the reference module, by
each kind's ``expected`` hook; ``Evidence`` puts it beside what the student's child reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from grader import values
from grader.errors import SolutionsError
from grader.harness.codec import encode
from grader.protocol import value_text
from grader.values import Value

__all__ = ["Evidence", "Expected", "plain", "reference_attribute"]

if TYPE_CHECKING:
    from grader.kinds.base import Alternate, Observed
    from grader.probes import Probe


@dataclass
class Expected:
    """Everything the checks of one item need from the reference."""

    value: Value | None = None
    value_raw: str | None = None  # the encoded value as JSON text: a report equal to it passes at once
    alternates: list[tuple[Alternate, Value]] = field(default_factory=list)
    aux: dict[str, Value] = field(default_factory=dict)  # other reference values a kind needs
    probes: list[Probe] = field(default_factory=list)
    calls: list[Value] = field(default_factory=list)  # the reference's output on each probe
    calls_raw: list[str] = field(default_factory=list)
    alternate_calls: list[tuple[Alternate, list[Value | None]]] = field(default_factory=list)

    @classmethod
    def of(cls, value: Any) -> Expected:
        raw = encode(value)
        return cls(value=values.decode(raw), value_raw=value_text(raw))


@dataclass
class Evidence:
    """The reference's side of one item, and what the student's child reported for it."""

    expected: Expected
    observed: Observed  # the value read under the item's name
    calls: list[Observed] = field(default_factory=list)  # one per probe, for a function
    flag: str = ""  # why the item goes to an instructor for review, if it does


def reference_attribute(module: ModuleType, name: str) -> Any:
    """``module.name``, or the error that says the reference lacks it."""
    if not hasattr(module, name):
        raise SolutionsError(f"the reference {module.__file__} does not define {name!r}")
    return getattr(module, name)


def plain(value: Any) -> Value:
    """A reference value as the checks see a student's: encoded, then decoded."""
    return values.decode(encode(value))
