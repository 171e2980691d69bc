"""The reference answers, computed once per run in the trusted parent.

The solutions modules are loaded by file path, never from a path a child can
see, and run through the same harness calls as the student's code.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from grader import values
from grader.errors import SolutionsError
from grader.harness.calls import call
from grader.harness.codec import encode
from grader.kinds.base import Alternate
from grader.kinds.function import FunctionItem
from grader.kinds.order import OrderItem
from grader.probes import Probe, generate
from grader.protocol import value_text
from grader.rubric import Rubric
from grader.values import Value


@dataclass
class Expected:
    """Everything the checks of one item need from the reference."""

    value: Value | None = None
    value_raw: str | None = None
    alternates: list[tuple[Alternate, Value]] = field(default_factory=list)
    aux: dict[str, Value] = field(default_factory=dict)
    probes: list[Probe] = field(default_factory=list)
    calls: list[Value] = field(default_factory=list)
    calls_raw: list[str] = field(default_factory=list)
    alternate_calls: list[tuple[Alternate, list[Value | None]]] = field(default_factory=list)


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
    theory = load_module(directory, rubric.solutions.theory)
    implementation = None
    if rubric.solutions.implementation and torch:
        implementation = load_module(directory, rubric.solutions.implementation)
        _run_torch_as_the_workers_do()
    expected: dict[str, Expected] = {}
    for question, item, _ in rubric.items():
        if item.needs_torch and not torch:
            continue
        module = implementation if item.source == "implementation" and implementation else theory
        key = f"{question.id}/{item.name}"
        expected[key] = _expected(key, item, module, seed)
    return expected


def _run_torch_as_the_workers_do() -> None:
    """One thread, as in the sandbox workers (``grader.sandbox.worker._preload``).

    The same code then sums in the same order and gives the same bits, so a correct
    submission's outputs equal the reference's byte for byte: the check's fast path. With
    torch's default threads a fifth of the MLP probes took the slow comparison (2 ms each).
    """
    torch_module = sys.modules.get("torch")
    if torch_module is not None:
        torch_module.set_num_threads(1)


def _attribute(module: ModuleType, name: str) -> Any:
    if not hasattr(module, name):
        raise SolutionsError(f"the reference {module.__file__} does not define {name!r}")
    return getattr(module, name)


def _expected(key: str, item: Any, module: ModuleType, seed: int) -> Expected:
    if isinstance(item, FunctionItem):
        return _function(key, item, module, seed)
    if item.is_manual:
        return Expected()
    raw = encode(_attribute(module, item.name))
    found = Expected(value=values.decode(raw), value_raw=value_text(raw))
    found.alternates = [(alt, _plain(_attribute(module, alt.reference))) for alt in item.alternates]
    if isinstance(item, OrderItem):
        found.aux[item.constraints] = _plain(_attribute(module, item.constraints))
    return found


def _function(key: str, item: FunctionItem, module: ModuleType, seed: int) -> Expected:
    target = _attribute(module, item.lookup)
    probes = generate(key, item.args, item.probes, seed)
    found = Expected(probes=probes)
    for i, probe in enumerate(probes):
        result = call(target, probe.to_json(), item.harness, item.scenario, pure=item.pure)
        if result["status"] != "ok":
            raise SolutionsError(f"the reference {item.lookup} failed on probe {i + 1} of {key}: {result['message']}")
        found.calls.append(values.decode(result["value"]))
        found.calls_raw.append(value_text(result["value"]))
    for alt in item.alternates:
        alt_target = _attribute(module, alt.reference)
        outputs: list[Value | None] = []
        for probe in probes:
            result = call(alt_target, probe.to_json(), item.harness, item.scenario)
            outputs.append(values.decode(result["value"]) if result["status"] == "ok" else None)
        found.alternate_calls.append((alt, outputs))
    return found


def _plain(value: Any) -> Value:
    return values.decode(encode(value))


def canonical(rubric: Rubric, directory: Path) -> dict[str, dict[str, Any]]:
    """``{question: {name: value}}`` for every number, array, choice, flag and order item."""
    theory = load_module(directory, rubric.solutions.theory)
    answers: dict[str, dict[str, Any]] = {}
    for question, item, _ in rubric.items():
        if isinstance(item, FunctionItem) or item.is_manual:
            continue
        value = _attribute(theory, item.name)
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
