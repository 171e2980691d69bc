"""The reference answers, computed once per run in the trusted parent.

The solutions modules are loaded by file path, never from a path a child can
see, and run through the same harness calls as the student's code.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.errors import SolutionsError
from grader.kinds.evidence import Expected
from grader.rubric import Question, Rubric


def load_module(directory: Path, name: str) -> ModuleType:
    """Import ``directory/name.py`` under a private module name."""
    path = directory / f"{name}.py"
    if not path.is_file():
        raise SolutionsError(f"the reference {path} does not exist (pass --solutions DIR)")
    spec = importlib.util.spec_from_file_location(f"_grader_reference_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise SolutionsError(f"the reference {path} failed to load: {type(exc).__name__}: {exc}") from exc
    return module


def compute(rubric: Rubric, directory: Path, seed: int, *, torch: bool) -> dict[str, Expected]:
    """The expected values and probe outputs of every gradable item, keyed ``question/name``."""
    gradable = [(q, item) for q, item, _ in rubric.items() if torch or not item.needs_torch]
    implementation = None
    if rubric.solutions.implementation and any(item.source == "implementation" for _, item in gradable):
        implementation = load_module(directory, rubric.solutions.implementation)
    if torch:
        _run_torch_as_the_workers_do()
    modules = _Modules(directory, rubric.solutions.theory)
    expected: dict[str, Expected] = {}
    for question, item in gradable:
        module = implementation if item.source == "implementation" and implementation else modules.of(question)
        key = f"{question.id}/{item.name}"
        expected[key] = item.expected(key, module, seed)
    return expected


class _Modules:
    """The reference module of each question: the rubric's theory module, or the one an included
    question names (loaded once each)."""

    def __init__(self, directory: Path, theory: str) -> None:
        self.directory = directory
        self.loaded = {theory: load_module(directory, theory)}
        self.theory = theory

    def of(self, question: Question) -> ModuleType:
        name = question.reference or self.theory
        if name not in self.loaded:
            self.loaded[name] = load_module(self.directory, name)
        return self.loaded[name]


def _run_torch_as_the_workers_do() -> None:
    """One thread, as in the sandbox workers (``grader.sandbox.worker._preload``).

    The same code then sums in the same order and gives the same bits, so a correct
    submission's outputs equal the reference's byte for byte: the check's fast path. With
    torch's default threads a fifth of the network probes took the slow comparison (2 ms each).
    """
    torch_module = sys.modules.get("torch")
    if torch_module is not None:
        torch_module.set_num_threads(1)


def canonical(rubric: Rubric, directory: Path) -> dict[str, dict[str, Any]]:
    """``{question: {name: value}}`` for every item with an answer to print (not a function or a text)."""
    modules = _Modules(directory, rubric.solutions.theory)
    answers: dict[str, dict[str, Any]] = {}
    for question, item, _ in rubric.items():
        value = item.answer(modules.of(question))
        if value is not None:
            answers.setdefault(question.id, {})[item.name] = _jsonable(value)
    return answers


def _jsonable(value: Any) -> Any:
    """Plain JSON data, floats as a person writes them: 0.26, not 0.25999999999999995."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, tuple | list | set):
        items = sorted(value) if isinstance(value, set) else value
        return [_jsonable(v) for v in items]
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return value
