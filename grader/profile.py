"""An assignment's profile: the code that varies per assignment, declared next to its rubric.

An assignment is its rubric (``rubrics/<id>.toml``: questions, items, points, tolerances,
and in ``[implementation]`` the module a student writes beside the theory module), its
reference (``solutions/``), and, when it needs code of its own, a profile:
``rubrics/<id>.py``, a module that defines ``PROFILE = Profile(...)`` with

- ``harnesses``: how a function item exercises what it names, when calling it is not enough
  (a rubric item with ``harness = "net"`` is run by the harness registered as ``"net"``:
  ``harness(target, kwargs, scenario) -> output``). The same harness runs the reference in
  the grading process and the student's code in the sandbox;
- ``checks``: the self-test's consistency checks (``grader.selfcheck.SelfCheck``).

Profiles hold no reference value: they ship with the rubrics, in the wheel students install,
and run in the sandbox. No module of the engine names an assignment.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.selfcheck import SelfCheck

__all__ = ["HARNESSES", "Harness", "Profile", "SelfCheck", "checks", "install", "source_of"]

Harness = Callable[[Any, dict[str, Any], "str | None"], Any]
HARNESSES: dict[str, Harness] = {}  # every installed profile's harnesses, by name
_CHECKS: dict[str, list[SelfCheck]] = {}  # assignment -> its self-test checks


@dataclass(frozen=True)
class Profile:
    """What an assignment adds to the engine."""

    harnesses: dict[str, Harness] = field(default_factory=dict)
    checks: list[SelfCheck] = field(default_factory=list)


def source_of(rubric_path: Path) -> str:
    """The text of the profile beside a rubric file ("" when it has none)."""
    path = rubric_path.with_suffix(".py")
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def install(assignment: str, sources: list[str]) -> Profile:
    """Run an assignment's profile sources (trusted: they ship with the rubrics; an included
    rubric's come first) and register what they declare, together."""
    harnesses: dict[str, Harness] = {}
    found: list[SelfCheck] = []
    for number, source in enumerate(sources):
        if source:
            profile = _run(f"{assignment}-{number}", source)
            harnesses.update(profile.harnesses)
            found += profile.checks
    HARNESSES.update(harnesses)
    _CHECKS[assignment] = found
    return Profile(harnesses, found)


def _run(label: str, source: str) -> Profile:
    name = f"_grader_profile_{label.replace('-', '_')}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    exec(compile(source, f"<profile {label}>", "exec"), module.__dict__)
    profile = module.__dict__.get("PROFILE")
    if not isinstance(profile, Profile):
        raise ValueError(f"the profile {label} defines no PROFILE = Profile(...)")
    return profile


def checks(assignment: str) -> list[SelfCheck]:
    """The installed self-test checks of ``assignment``."""
    return _CHECKS.get(assignment, [])
