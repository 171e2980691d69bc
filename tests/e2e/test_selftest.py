"""The student self-test: useful feedback, and never a canonical value."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader import checklist
from tests.conftest import SOLUTIONS, TEMPLATES, run_grader


def canonical_numbers(assignment: str) -> set[str]:
    """Every number of `grader solve`, written to 3 significant figures in several styles."""
    done = run_grader("solve", assignment, "--format", "json")
    assert done.returncode == 0, done.stderr
    numbers: list[float] = []

    def walk(value: object) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int | float):
            numbers.append(float(value))
        elif isinstance(value, list | dict):
            for item in value.values() if isinstance(value, dict) else value:
                walk(item)
    walk(json.loads(done.stdout))
    forms = set()
    for x in numbers:
        if abs(x) < 1e-12 or float(x).is_integer():
            continue  # 0, 1, 0.25... are not secrets worth grepping for (and appear in any text)
        forms |= {f"{x:.3g}", f"{abs(x):.3g}", f"{x:.3f}", f"{abs(x):.3f}"}
    return {f for f in forms if len(f.strip("-0.")) >= 2}


WRONG = {
    "jhu-hw3": ("jhu_hw3.py", [("return 2.0 * (W @ X - Y) @ X.T", "return (W @ X - Y) @ X.T"),
                               ('Q2B_TREND = "vanishing"', 'Q2B_TREND = "neither"')]),
    "mit-backprop": ("mit_backprop.py", [("DELTA_HIDDEN_CHOICE = 0", "DELTA_HIDDEN_CHOICE = 1")]),
}


@pytest.mark.parametrize("assignment", sorted(WRONG))
def test_selftest_never_prints_a_canonical_value(tmp_path: Path, assignment: str) -> None:
    name, edits = WRONG[assignment]
    text = (SOLUTIONS / name).read_text()
    for old, new in edits:
        text = text.replace(old, new)
    # Wrong values: every number and array scaled, so the student's own values are not canonical.
    text += "\nimport numpy as _np\n" + "\n".join(
        f"{n} = _np.asarray({n}) * 1.7 + 0.3" for n in re.findall(r"^([A-Z][A-Z0-9_]+) = ", text, re.M)
        if n not in ("ASSIGNMENT",) and not n.endswith(("TREND", "CHOICE", "ATTAINED", "DERIVATION", "NOTES", "LARGE_Z", "MISREAD"))
        and "_" in n)
    path = tmp_path / name
    path.write_text(text)
    done = run_grader("selftest", str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    leaked = [form for form in canonical_numbers(assignment) if form in done.stdout]
    assert not leaked, f"canonical values in self-test output: {leaked}"
    assert "not a grade" in done.stdout
    for option in ("vanishing", "exploding", "becomes small"):
        assert f"right option is {option}" not in done.stdout


def test_selftest_points_at_the_wrong_gradient(tmp_path: Path) -> None:
    text = (SOLUTIONS / "jhu_hw3.py").read_text().replace("return 2.0 * (W @ X - Y) @ X.T", "return (W @ X - Y) @ X.T")
    path = tmp_path / "mine.py"
    path.write_text(text)
    done = run_grader("selftest", str(path), "--question", "q1b")
    assert done.returncode == 1
    assert "[fix] l2_step is one gradient step" in done.stdout
    assert "q2a" not in done.stdout


def test_selftest_of_the_reference_passes_and_blank_lists_todos(tmp_path: Path) -> None:
    shutil.copy(SOLUTIONS / "mit_backprop.py", tmp_path / "good.py")
    good = run_grader("selftest", str(tmp_path / "good.py"))
    assert good.returncode == 0 and "[fix]" not in good.stdout and "[todo]" not in good.stdout
    blank = run_grader("selftest", str(TEMPLATES / "mit-backprop" / "mit_backprop.py"))
    assert blank.returncode == 1 and "[todo]" in blank.stdout and "not written yet" in blank.stdout


def test_selftest_reports_a_wrong_shape(tmp_path: Path) -> None:
    text = (SOLUTIONS / "mit_backprop.py").read_text() + "\nSIMPLE_NET_GRADS = SIMPLE_NET_GRADS.reshape(1, 3)\n"
    (tmp_path / "s.py").write_text(text)
    done = run_grader("selftest", str(tmp_path / "s.py"))
    assert "[fix] SIMPLE_NET_GRADS has shape (1, 3), expected (3,)" in done.stdout


def test_notebook_check_uses_the_live_namespace() -> None:
    namespace: dict[str, object] = {}
    exec(compile((SOLUTIONS / "jhu_hw3.py").read_text(), "<nb>", "exec"), namespace)
    namespace["Q2B_GRADS"] = np.zeros((1, 3))
    out = io.StringIO()
    assert checklist.check_namespace("q2b", namespace=namespace, out=out) is False
    assert "Q2B_GRADS has shape (1, 3), expected (3,)" in out.getvalue()
    out = io.StringIO()
    assert checklist.check_namespace("q2c", namespace=namespace, out=out) is True


def test_notebook_check_survives_a_hanging_function() -> None:
    namespace: dict[str, object] = {}
    exec(compile((SOLUTIONS / "mit_backprop.py").read_text(), "<nb>", "exec"), namespace)

    def dC_db(delta: object) -> object:
        while True:
            pass
    namespace["dC_db"] = dC_db
    out = io.StringIO()
    assert checklist.check_namespace("param-derivatives", namespace=namespace, out=out) is False
    assert "did not finish" in out.getvalue() or "timeout" in out.getvalue()
