"""The answer kinds, registered by their ``kind`` tag.

Adding a kind means one new module that defines a rubric model with a
``check(evidence) -> Verdict`` method, decorated with ``@register``, and one
import line below.
"""

from __future__ import annotations

from typing import TypeVar

from grader.kinds.base import ItemBase

KINDS: dict[str, type[ItemBase]] = {}

T = TypeVar("T", bound=type[ItemBase])


def register(model: T) -> T:
    """Add an item model to the registry under its ``kind`` default."""
    KINDS[model.__pydantic_fields__["kind"].default] = model
    return model


from grader.kinds import array, choice, flag, function, number, order, text  # noqa: E402

__all__ = ["KINDS", "array", "choice", "flag", "function", "number", "order", "register", "text"]
