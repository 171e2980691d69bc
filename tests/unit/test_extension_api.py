"""The extension API is what ``__all__`` says, and the shipped extensions use no more of it.

Three kinds of extension exist: a kind (``grader/kinds/<kind>.py``), an assignment profile
(``rubrics/<id>.py``) and an output (``grader/outputs/<format>.py``). Each may import only the
names its modules list in ``__all__``; a shipped extension that reaches past them fails here,
so the surface a course builds on is the surface we keep stable.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXTENSION_API = ("grader.kinds", "grader.kinds.base", "grader.kinds.evidence", "grader.profile", "grader.selfcheck",
                 "grader.outputs", "grader.harness.calls", "grader.harness.callables")
# What an extension may use besides that API: the engine's plain data types and helpers.
ALSO_ALLOWED = {"grader.values": {"Value", "shape_text", "decode"}, "grader.report": None,
                "grader.kinds.compare": None, "grader.kinds.numeric": None, "grader.probes": None,
                "grader.steps": None, "grader.protocol": None, "grader.model": None, "grader.errors": None,
                "grader.escape": None, "grader": {"values", "tolerance", "escape"}, "grader.harness": {"calls"},
                "grader.store": {"AtomicFile", "atomic_write", "FEEDBACK"}, "grader.outputs.sheets": {"header", "row"},
                "grader.outputs._classstats": None, "grader.outputs._page": None}  # report.html's own helpers
KINDS = sorted(p for p in (ROOT / "grader" / "kinds").glob("*.py")
               if p.stem not in ("__init__", "base", "evidence", "compare", "numeric"))
OUTPUTS = sorted(p for p in (ROOT / "grader" / "outputs").glob("*.py") if p.stem != "__init__")
PROFILES = sorted((ROOT / "rubrics").glob("*.py"))


@pytest.mark.parametrize("module_name", EXTENSION_API)
def test_every_listed_name_exists_once(module_name: str) -> None:
    module = importlib.import_module(module_name)
    listed = module.__all__
    assert len(listed) == len(set(listed)), f"{module_name}.__all__ repeats a name"
    assert [name for name in listed if not hasattr(module, name)] == []


@pytest.mark.parametrize("path", KINDS + OUTPUTS + PROFILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_extensions_import_only_the_api(path: Path) -> None:
    reached = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("grader"):
            continue
        module = node.module or ""
        if module in EXTENSION_API:
            allowed = set(importlib.import_module(module).__all__)
        elif module in ALSO_ALLOWED:
            allowed = ALSO_ALLOWED[module] or {alias.name for alias in node.names}
        else:
            allowed = set()
        reached += [f"{module}.{alias.name}" for alias in node.names if alias.name not in allowed]
    assert reached == [], f"{path.name} uses names outside the extension API"

