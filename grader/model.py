"""The base of every rubric model: validated once at load time, then immutable."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Immutable, and unknown keys rejected (a typo in a rubric is an error, not a silent default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
