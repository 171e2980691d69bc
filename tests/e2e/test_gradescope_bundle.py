"""examples/gradescope: run_autograder in a fake /autograder, the bundle make_bundle.sh builds, and
the scripts' syntax (and shellcheck's lint, where it is installed).

Expected points come from the rubric file, read here with tomllib, not from the grader.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow

BUNDLE = ROOT / "examples" / "gradescope"
SCRIPTS = [BUNDLE / "setup.sh", BUNDLE / "run_autograder", BUNDLE / "make_bundle.sh"]


def rubric_items(assignment: str) -> dict[str, tuple[str, float]]:
    """``question/name`` -> (kind, points) for every item of the rubric."""
    rubric = tomllib.loads((ROOT / "rubrics" / f"{assignment}.toml").read_text())
    return {f"{question['id']}/{item['name']}": (item["kind"], row["points"] / len(row["items"]))
            for question in rubric["questions"] for row in question["rows"] for item in row["items"]}


def autograder_root(tmp_path: Path, *upload: Path) -> Path:
    """Gradescope's /autograder: this checkout as source/, the upload in submission/, results/ empty."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    (root / "source").symlink_to(ROOT, target_is_directory=True)
    for path in upload:
        shutil.copy(path, root / "submission")
    return root


def run_autograder(root: Path, assignment: str, path: str | None = None) -> dict[str, Any]:
    """Run the script as Gradescope would, under ``root``; return the results.json it left."""
    path = path or f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # this grader first
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "ASSIGNMENT": assignment, "PATH": path}
    bash = shutil.which("bash") or "/bin/bash"
    done = subprocess.run([bash, str(BUNDLE / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_a_correct_upload_gets_every_automatic_point(tmp_path: Path) -> None:
    root = autograder_root(tmp_path, EXAMPLES / "jhu-hw3" / "ada_lovelace.py")
    results = run_autograder(root, "jhu-hw3")
    expected = rubric_items("jhu-hw3")
    assert isinstance(results["score"], int | float)
    assert {test["name"] for test in results["tests"]} == set(expected)
    automatic = sum(points for kind, points in expected.values() if kind != "text")
    assert results["score"] == pytest.approx(automatic)


def test_an_empty_upload_is_graded_zero_by_the_grader(tmp_path: Path) -> None:
    results = run_autograder(autograder_root(tmp_path), "jhu-hw3")
    assert results["score"] == 0
    assert {test["name"] for test in results["tests"]} == set(rubric_items("jhu-hw3"))
    assert "holds no files" in results["output"]


@pytest.mark.parametrize(("breakage", "reason", "stderr"), [
    ("assignment", "grader check exited with 2", "unknown assignment 'no-such-hw'"),
    ("source", "grader check exited with 1", "No such file or directory"),
    ("install", "grader check exited with 127", "grader: command not found"),
    ("everything", "grader check exited with 127", ""),  # not even python3: a fixed message
])
def test_a_failing_grader_still_leaves_a_valid_zero(tmp_path: Path, breakage: str, reason: str,
                                                   stderr: str) -> None:
    root = autograder_root(tmp_path, EXAMPLES / "jhu-hw3" / "ada_lovelace.py")
    assignment, path = "jhu-hw3", None
    if breakage == "assignment":
        assignment = "no-such-hw"
    elif breakage == "source":
        (root / "source").unlink()
    elif breakage == "install":  # setup.sh did not install the grader: the system's tools remain
        path = "/usr/bin:/bin"
    else:
        path = str(tmp_path / "nothing")
    results = run_autograder(root, assignment, path)
    assert results["score"] == 0 and "tests" not in results
    assert results["output"].startswith(f"The autograder failed ({reason}), so this upload was not graded.")
    if shutil.which("python3", path=path or os.environ["PATH"]):
        assert stderr in results["output"]


def test_make_bundle_puts_the_scripts_beside_the_checkout(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("make_bundle.sh lists the checkout's files with git")
    out = tmp_path / "autograder.zip"
    done = subprocess.run(["bash", str(BUNDLE / "make_bundle.sh"), "nyu-hw1", str(out)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as bundle:
        names = set(bundle.namelist())
        for script in ("setup.sh", "run_autograder"):
            assert bundle.getinfo(script).external_attr >> 16 & 0o111, f"{script} is not executable"
            assert 'ASSIGNMENT="${ASSIGNMENT:-nyu-hw1}"' in bundle.read(script).decode().splitlines()
    assert {"pyproject.toml", "hatch_build.py", "grader/cli.py", "rubrics/nyu-hw1.toml",
            "solutions/nyu_hw1.py"} <= names
    assert not [name for name in names if name.startswith(".git/") or "__pycache__" in name]


def test_make_bundle_refuses_an_unknown_assignment(tmp_path: Path) -> None:
    done = subprocess.run(["bash", str(BUNDLE / "make_bundle.sh"), "no-such-hw", str(tmp_path / "a.zip")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "no-such-hw" in done.stderr
    assert not (tmp_path / "a.zip").exists()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_script_syntax(script: Path) -> None:
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_scripts_pass_shellcheck() -> None:
    done = subprocess.run(["shellcheck", *map(str, SCRIPTS)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
