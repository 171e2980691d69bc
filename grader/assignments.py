"""Where rubrics and the reference solver are found.

Light on purpose: ``grader check`` asks it which workers to start before it imports the
rubric models (pydantic and numpy, half a second).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import UsageError

if TYPE_CHECKING:
    from grader.rubric import Rubric

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def rubric_dir() -> Path:
    """The rubrics shipped in the wheel, or those of the project checkout."""
    packaged = PACKAGE / "_rubrics"
    return packaged if packaged.is_dir() else CHECKOUT / "rubrics"


_COURSE_DIRS: list[Path] = []  # folders of a course's own rubrics (--rubrics), searched first


def add_rubric_dirs(folders: list[Path]) -> None:
    """Search ``folders`` for rubrics (and their profiles) before the shipped ones."""
    for folder in folders:
        if not folder.is_dir():
            raise UsageError(f"--rubrics {folder}: no such folder")
        _COURSE_DIRS.append(folder)
    implementation_files.cache_clear()


def available() -> dict[str, Path]:
    """Assignment id -> rubric file: a course's own (``--rubrics``) first, then the shipped ones."""
    found: dict[str, Path] = {}
    for folder in [*_COURSE_DIRS, rubric_dir()]:
        for path in sorted(folder.glob("*.toml")):
            found.setdefault(path.stem, path)
    return dict(sorted(found.items()))


def load_rubric(assignment: str, override: Path | None = None) -> Rubric:
    """The rubric of ``assignment``: from ``override`` if given, else the shipped one."""
    from grader import rubric as rubric_module

    if override is not None:
        loaded = rubric_module.load(override)
        if loaded.assignment != assignment:
            raise UsageError(f"{override} is the rubric of {loaded.assignment!r}, not {assignment!r}")
        return loaded
    return rubric_module.load(rubric_path(assignment))


def rubric_path(assignment: str, override: Path | None = None) -> Path:
    """The rubric file of ``assignment``: ``override`` if given, else the shipped one."""
    if override is not None:
        return override
    known = available()
    if assignment not in known:
        raise UsageError(f"unknown assignment {assignment!r}; known: {', '.join(known) or 'none'}")
    return known[assignment]


def profile_sources(assignment: str, override: Path | None = None) -> list[str]:
    """The sources of the assignment's profile (the ``.py`` beside its rubric) and of the
    profiles of the rubrics it includes, those first; "" for a rubric without one."""
    from grader.profile import source_of
    from grader.rubric import included_rubrics

    path = rubric_path(assignment, override)
    return [source_of(included) for included in included_rubrics(path)] + [source_of(path)]


def install_profile(assignment: str, override: Path | None = None) -> list[str]:
    """Install the assignment's profile in this process; its sources (to hand to the workers)."""
    from grader.profile import install

    sources = profile_sources(assignment, override)
    install(assignment, sources)
    return sources


@functools.cache
def implementation_files() -> frozenset[str]:
    """The implementation modules (``<module>.py``) of every shipped rubric, read without
    validating: a file of one of these names is never a folder's theory module."""
    found = set()
    for path in available().values():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("implementation")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if isinstance(table, dict) and isinstance(table.get("module"), str):
            found.add(f"{table['module']}.py")
    return frozenset(found)


def default_solutions() -> Path | None:
    """``solutions/`` of the project checkout, when the grader runs from one."""
    candidate = CHECKOUT / "solutions"
    return candidate if candidate.is_dir() else None


def instructor_paths(solutions: Path | None = None) -> tuple[Path, ...]:
    """What only instructors may read: the reference and the full rubrics (their alternates)."""
    found = [p for p in (default_solutions(), solutions, CHECKOUT / "rubrics", *_COURSE_DIRS) if p is not None]
    return tuple(found)


def torch_available() -> bool:
    """Whether torch can be imported here (``GRADER_NO_TORCH=1`` grades as if it could not)."""
    if os.environ.get("GRADER_NO_TORCH") == "1":
        return False
    return importlib.util.find_spec("torch") is not None


def uses_torch(assignment: str, override: Path | None = None) -> bool:
    """Whether the rubric has an item with tensor arguments, read without validating the rubric.

    Only a guess, for starting torch workers early: the loaded rubric has the last word, and
    a rubric this cannot read gets its error from ``load_rubric``.
    """
    path = override or available().get(assignment)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return _has_tensor_arg(data.get("questions"))


def _has_tensor_arg(node: object) -> bool:
    if isinstance(node, dict):
        return node.get("type") == "tensor" or any(_has_tensor_arg(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_tensor_arg(v) for v in node)
    return False
