"""A course adds its own assignment without changing a line of ``grader/``.

Everything lives in a temporary folder: a rubric with an implementation part, its profile
(a harness that builds the student's class and calls its method, and one self-test check),
the reference modules, a template, and a correct and a wrong submission. The path is the one
the README's "Adding or changing an assignment" tells: ``--rubrics`` and ``--solutions``.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, run_grader

RUBRIC = """\
schema_version = 1
assignment = "toy-hw"
title = "A throwaway homework"
solutions = { theory = "toy_hw", implementation = "toy_hw_impl" }
implementation = { module = "scaler", names = ["Scaler"] }

[[questions]]
id = "1"
title = "A number"
  [[questions.rows]]
  points = 2
    [[questions.rows.items]]
    name = "ANSWER"
    kind = "number"
    atol = 1e-3

[[questions]]
id = "2"
title = "A function"
  [[questions.rows]]
  points = 3
    [[questions.rows.items]]
    name = "double"
    kind = "function"
    args = [{ name = "x", type = "array", shape = ["n"] }]
    returns = { type = "array", shape = ["n"] }
    probes = { random = 4, dims = { n = [1, 5] } }

[[questions]]
id = "impl"
title = "Scaler.apply"
  [[questions.rows]]
  points = 5
    [[questions.rows.items]]
    name = "Scaler.apply"
    target = "Scaler"
    kind = "function"
    source = "implementation"
    harness = "scale"
    args = [
      { name = "factor", type = "float", low = 0.5, high = 3.0 },
      { name = "x", type = "array", shape = ["n"] },
    ]
    returns = { type = "array", shape = ["n"] }
    probes = { random = 5, dims = { n = [1, 6] }, fixed = [{ label = "the homework's", factor = 2.0, n = 3 }] }
"""

PROFILE = '''\
"""The profile of toy-hw: how the course uses its Scaler, and one self-test check."""

import numpy as np

from grader.profile import Profile
from grader.selfcheck import SelfCheck, function, verdict


def scale(cls, kw, scenario):
    return cls(kw["factor"]).apply(kw["x"])


def _double_is_linear(ns, impl):
    double = function(ns, "double")
    if double is None:
        return None, "double is needed for this check"
    x = np.array([1.0, -2.0, 0.5])
    ok = np.allclose(double(2 * x), 2 * double(x))
    return verdict(ok, "double is linear", "double(2x) should be 2 double(x).")


PROFILE = Profile(harnesses={"scale": scale}, checks=[SelfCheck("2", "double is linear", _double_is_linear)])
'''

REFERENCE = """\
import numpy as np

ANSWER = 0.125

def double(x):
    return 2.0 * np.asarray(x, dtype=float)
"""

REFERENCE_IMPL = """\
import numpy as np

class Scaler:
    def __init__(self, factor):
        self.factor = factor

    def apply(self, x):
        return self.factor * np.asarray(x, dtype=float)
"""

TEMPLATE = """\
ASSIGNMENT = "toy-hw"

ANSWER = None  # TODO: a number

def double(x):
    raise NotImplementedError  # TODO
"""

CORRECT = (
    'ASSIGNMENT = "toy-hw"\nimport numpy as np\nANSWER = 1 / 8\ndef double(x):\n    return x + x\n',
    "class Scaler:\n    def __init__(self, factor):\n        self.k = factor\n"
    "    def apply(self, x):\n        return x * self.k\n",
)
WRONG = (
    'ASSIGNMENT = "toy-hw"\nANSWER = 0.25\ndef double(x):\n    return x * x\n',
    "class Scaler:\n    def __init__(self, factor):\n        self.k = factor\n"
    "    def apply(self, x):\n        return x + self.k\n",
)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    files = {
        "rubrics/toy-hw.toml": RUBRIC, "rubrics/toy-hw.py": PROFILE,
        "solutions/toy_hw.py": REFERENCE, "solutions/toy_hw_impl.py": REFERENCE_IMPL,
        "template/toy_hw.py": TEMPLATE,
        "class/ada/toy_hw.py": CORRECT[0], "class/ada/scaler.py": CORRECT[1],
        "class/bob/toy_hw.py": WRONG[0], "class/bob/scaler.py": WRONG[1],
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def _course_args(course: Path) -> tuple[str, ...]:
    return ("--rubrics", str(course / "rubrics"))


def _points(report: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {s["student"]: {q["id"]: q["points"] for q in s["questions"]} for s in report["submissions"]}


def test_the_new_assignment_grades_a_correct_and_a_wrong_submission(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_grader("check", str(course / "class"), *_course_args(course), "--solutions", str(course / "solutions"),
                      "--out", str(out), "--seed", "3", "--no-progress")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    assert report["assignment"] == "toy-hw"
    assert _points(report) == {"ada": {"1": 2.0, "2": 3.0, "impl": 5.0},
                               "bob": {"1": 0.0, "2": 0.0, "impl": 0.0}}
    bob = next(s for s in report["submissions"] if s["student"] == "bob")
    impl = bob["questions"][2]["items"][0]
    assert impl["kind"] == "function" and impl["outcome"] == "wrong"
    assert "the homework's" in impl["feedback"]  # the fixed probe's label explains the failure
    assert (out / "grades.csv").read_text().count("\n") >= 3  # header, points-possible row, 2 students


def test_the_new_assignment_is_listed_and_solved(course: Path) -> None:
    listing = run_grader("list", *_course_args(course))
    assert listing.returncode == 0, listing.stderr
    assert "toy-hw" in listing.stdout and "10" in listing.stdout
    solved = run_grader("solve", "toy-hw", "--format", "json", *_course_args(course),
                        "--solutions", str(course / "solutions"))
    assert solved.returncode == 0, solved.stderr
    assert json.loads(solved.stdout)["1"]["ANSWER"] == 0.125


def test_students_self_test_the_new_assignment(course: Path) -> None:
    good = run_grader("selftest", str(course / "class" / "ada"), *_course_args(course))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "double is linear" in good.stdout
    bad = run_grader("selftest", str(course / "class" / "bob"), *_course_args(course))
    assert bad.returncode != 0
    assert "double(2x) should be 2 double(x)" in bad.stdout
    assert "0.125" not in bad.stdout  # the answer key stays hidden
    template = run_grader("selftest", str(course / "template" / "toy_hw.py"), *_course_args(course))
    assert "TODO" in template.stdout or "todo" in template.stdout.lower()


def test_the_engine_names_no_assignment() -> None:
    """The same property for the shipped ones: ``grader/`` holds no homework's name."""
    names = re.compile(r"(?<![a-z])(mlp|nyu|jhu|mit)(?![a-z])|mse_loss|bce_loss", re.IGNORECASE)
    offending = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in sorted((ROOT / "grader").rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if names.search(line)]
    assert offending == []


def test_an_unknown_rubrics_folder_is_a_clear_error(tmp_path: Path) -> None:
    done = run_grader("list", "--rubrics", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "nowhere" in done.stderr and "no such folder" in done.stderr
