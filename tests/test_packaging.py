"""The wheel ships the engine and the rubrics, never the reference nor the rubrics' alternates;
the public API is small."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import grader
from grader.report import RunReport
from tests.conftest import ROOT, run_grader

SCHEMA = ROOT / "docs" / "report-schema.json"
RUBRICS = sorted((ROOT / "rubrics").glob("*.toml"))
PACKAGED = "grader/_rubrics/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built once for the module as a release would build it."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return next(out.glob("backprop_grader-*.whl"))


def without_alternates(node: Any) -> Any:
    """A parsed rubric with every ``alternates`` key removed, at any depth."""
    if isinstance(node, dict):
        return {key: without_alternates(value) for key, value in node.items() if key != "alternates"}
    if isinstance(node, list):
        return [without_alternates(value) for value in node]
    return node


def alternates_of(node: Any) -> Iterator[dict[str, Any]]:
    """Every alternate of a parsed rubric."""
    if isinstance(node, dict):
        yield from node.get("alternates", [])
        node = list(node.values())
    if isinstance(node, list):
        for value in node:
            yield from alternates_of(value)


def test_public_api() -> None:
    assert grader.__all__ == ["__version__", "check"]


def test_report_schema_document_is_current() -> None:
    current = json.dumps(RunReport.model_json_schema(), indent=2) + "\n"
    if os.environ.get("REGENERATE_SCHEMA") == "1":
        SCHEMA.write_text(current)
    assert SCHEMA.read_text() == current, "run with REGENERATE_SCHEMA=1 to update docs/report-schema.json"


@pytest.mark.slow
def test_wheel_contains_grader_and_rubrics_but_no_solutions(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "grader/cli.py" in names and "grader/harness/child.py" in names
    assert {"grader/_rubrics/jhu-hw3.toml", "grader/_rubrics/mit-backprop.toml", "grader/_rubrics/nyu-hw1.toml"} <= set(names)
    assert not [n for n in names if n.startswith(("solutions", "tests/", "examples/")) or "/solutions/" in n]
    reference = {p.read_bytes() for p in (ROOT / "solutions").glob("*.py")}
    with zipfile.ZipFile(wheel) as bundle:
        assert not [n for n in names if bundle.read(n) in reference]


@pytest.mark.slow
def test_wheel_ships_every_rubric_without_its_alternates(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as bundle:
        packaged = {n.removeprefix(PACKAGED): bundle.read(n).decode() for n in bundle.namelist()
                    if n.startswith(PACKAGED)}
    assert {name for name in packaged if name.endswith(".toml")} == {path.name for path in RUBRICS}
    profiles = "".join(text for name, text in packaged.items() if name.endswith(".py"))
    hints = 0
    for path in RUBRICS:
        complete, text = tomllib.loads(path.read_text()), packaged[path.name]
        assert "alternates" not in text, path.name
        for alternate in alternates_of(complete):
            for shipped in (text, profiles):
                assert alternate["feedback"] not in shipped and alternate["reference"] not in shipped, alternate
            hints += 1
        assert tomllib.loads(text) == without_alternates(complete), path.name
    assert hints, "the checkout's rubrics have no alternates: this test checks nothing"


@pytest.mark.slow
def test_packaged_rubrics_are_valid(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as bundle:
        bundle.extractall(tmp_path, [n for n in bundle.namelist() if n.startswith(PACKAGED)])
    for path in RUBRICS:
        done = run_grader("rubric", "validate", str(tmp_path / PACKAGED / path.name))
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_checkout_keeps_its_alternates_for_grading() -> None:
    from grader.assignments import load_rubric

    loaded = load_rubric("jhu-hw3")
    assert any(item.alternates for _question, item, _points in loaded.items())


@pytest.fixture(scope="module")
def strip() -> Callable[[str], str]:
    """``hatch_build.strip_alternates``: the build hook needs hatchling (the test extra has it)."""
    pytest.importorskip("hatchling")
    import hatch_build

    return hatch_build.strip_alternates


ITEM = '''[[questions]]
id = "q1"

  [[questions.rows]]
  points = 2
    [[questions.rows.items]]
    # The update after one step.
    name = "W_NEW"
    kind = "array"
'''
NEXT = '''
  # The second row.
  [[questions.rows]]
  points = 1
    [[questions.rows.items]]
    name = "TREND"
    kind = "choice"
    choices = ["grow", "shrink"]
'''


@pytest.mark.parametrize("alternates", [
    'alternates = [{ name = "mean", credit = 0.5, reference = "W_MEAN", feedback = "HINT mean" }]\n',
    # brackets, quotes and a comment inside the array, a comment after it
    '''# HINT: the mean reading gets half.
    alternates = [
      { name = "mean", credit = 0.5, reference = "W_MEAN", feedback = "HINT ||y - W x||^2 [sum] \\" ]" },
      # HINT: rows, not columns
      { name = "rows", credit = 0.0, reference = "W_ROWS", feedback = \'\'\'HINT
multi-line ] [ \'\'\' },
    ]  # HINT end
''',
    # the same as tables
    '''      [[questions.rows.items.alternates]]
      name = "mean"
      credit = 0.5
      reference = "W_MEAN"
      feedback = """HINT
[not a header]"""
      # HINT: rows
      [[questions.rows.items.alternates]]
      name = "rows"
      credit = 0.0
      reference = "W_ROWS"
      feedback = "HINT rows"
''',
], ids=["inline", "multi-line", "tables"])
def test_strip_removes_only_the_alternates(strip: Callable[[str], str], alternates: str) -> None:
    text = ITEM + "    " + alternates.lstrip() + NEXT
    stripped = strip(text)
    assert tomllib.loads(stripped) == without_alternates(tomllib.loads(text))
    assert "HINT" not in stripped and "W_MEAN" not in stripped
    assert "# The update after one step." in stripped and "# The second row." in stripped


def test_strip_refuses_what_it_cannot_remove_exactly(strip: Callable[[str], str]) -> None:
    text = ITEM + '    probes = { random = 2, alternates = [] }\n'
    with pytest.raises(ValueError, match="cannot remove the alternates"):
        strip(text)


def test_the_wheel_ships_every_profile_as_it_is(wheel: Path) -> None:
    """The self-test runs an assignment's checks and harnesses in the student's sandbox."""
    with zipfile.ZipFile(wheel) as archive:
        for profile in sorted((ROOT / "rubrics").glob("*.py")):
            assert archive.read(f"grader/_rubrics/{profile.name}") == profile.read_bytes()
