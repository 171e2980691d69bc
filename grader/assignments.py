"""Where rubrics and the reference solver are found."""

from __future__ import annotations

from pathlib import Path

from grader import rubric as rubric_module
from grader.errors import UsageError
from grader.rubric import Rubric

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def rubric_dir() -> Path:
    """The rubrics shipped in the wheel, or those of the project checkout."""
    packaged = PACKAGE / "_rubrics"
    return packaged if packaged.is_dir() else CHECKOUT / "rubrics"


def available() -> dict[str, Path]:
    """Assignment id -> rubric file, for every shipped rubric."""
    return {path.stem: path for path in sorted(rubric_dir().glob("*.toml"))}


def load_rubric(assignment: str, override: Path | None = None) -> Rubric:
    """The rubric of ``assignment``: from ``override`` if given, else the shipped one."""
    if override is not None:
        loaded = rubric_module.load(override)
        if loaded.assignment != assignment:
            raise UsageError(f"{override} is the rubric of {loaded.assignment!r}, not {assignment!r}")
        return loaded
    known = available()
    if assignment not in known:
        raise UsageError(f"unknown assignment {assignment!r}; known: {', '.join(known) or 'none'}")
    return rubric_module.load(known[assignment])


def default_solutions() -> Path | None:
    """``solutions/`` of the project checkout, when the grader runs from one."""
    candidate = CHECKOUT / "solutions"
    return candidate if candidate.is_dir() else None
