"""The answer kinds, registered by their ``kind`` tag.

Adding a kind means one new module that defines a subclass of ``ItemBase`` (a rubric model
with a ``kind`` tag and a ``check(evidence) -> Verdict`` method, and whichever of its hooks
the kind needs), decorated with ``@register``, and one import line below. ``__all__`` is
what such a module may use.
"""

from __future__ import annotations

from typing import TypeVar

from grader.kinds.base import Alternate, ItemBase, Observed, Outcome, Verdict, verdict_without_value
from grader.kinds.evidence import Evidence, Expected, plain, reference_attribute

KINDS: dict[str, type[ItemBase]] = {}

T = TypeVar("T", bound=type[ItemBase])


def register(model: T) -> T:
    """Add an item model to the registry under its ``kind`` default."""
    KINDS[model.__pydantic_fields__["kind"].default] = model
    return model


from grader.kinds import array, choice, choices, flag, function, number, order, text  # noqa: E402, F401  (each registers itself)

__all__ = [
    "KINDS",
    "Alternate",
    "Evidence",
    "Expected",
    "ItemBase",
    "Observed",
    "Outcome",
    "Verdict",
    "plain",
    "reference_attribute",
    "register",
    "verdict_without_value",
]
