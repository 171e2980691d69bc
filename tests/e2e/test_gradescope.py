"""``grader check --format gradescope``: Gradescope's results.json for one student's upload.

Expected points come from the rubric files, read here with tomllib, not from the grader.
"""

from __future__ import annotations

import json
import shutil
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT, SOLUTIONS, run_grader


def rubric_items(assignment: str) -> dict[str, tuple[str, float]]:
    """``question/name`` -> (kind, points) for every item of the shipped rubric."""
    rubric = tomllib.loads((ROOT / "rubrics" / f"{assignment}.toml").read_text())
    items = {}
    for question in rubric["questions"]:
        for row in question["rows"]:
            for item in row["items"]:
                items[f"{question['id']}/{item['name']}"] = (item["kind"], row["points"] / len(row["items"]))
    return items


def gradescope(tmp_path: Path, path: Path) -> dict[str, Any]:
    done = run_grader("check", str(path), "--format", "gradescope", "--out", str(tmp_path / "out"),
                      "--seed", "5", "--no-progress")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_correct_upload_passes_every_automatic_test_and_leaves_text_to_the_instructor(tmp_path: Path) -> None:
    upload = tmp_path / "submission"
    upload.mkdir()
    shutil.copy(SOLUTIONS / "jhu_hw3.py", upload / "hw3.py")
    (upload / "written.pdf").write_bytes(b"%PDF-1.4 not read")  # uploads carry other files too
    results = gradescope(tmp_path, upload)
    expected = rubric_items("jhu-hw3")
    tests = {t["name"]: t for t in results["tests"]}
    assert set(tests) == set(expected)
    automatic = 0.0
    for name, (kind, points) in expected.items():
        test = tests[name]
        assert test["visibility"] == "visible"
        if kind == "text":
            assert (test["score"], test["max_score"]) == (0.0, 0.0) and "status" not in test, name
            assert test["output"].startswith(f"Graded by hand: worth {points:g} points"), name
        else:
            assert test["status"] == "passed", (name, test["output"])
            assert test["score"] == pytest.approx(points) == test["max_score"], name
            automatic += points
    assert results["score"] == pytest.approx(automatic)
    text_points = sum(p for kind, p in expected.values() if kind == "text")
    assert results["output"].startswith(f"Automatic points: {automatic:g} of {automatic:g}.\n"
                                        f"{text_points:g} more points are graded by hand.")


def test_a_wrong_answer_fails_its_test_without_showing_the_answer(tmp_path: Path) -> None:
    upload = tmp_path / "submission"
    upload.mkdir()
    reference = (SOLUTIONS / "jhu_hw3.py").read_text()
    (upload / "hw3.py").write_text(reference + "\nQ2B_GRADS = Q2B_GRADS.reshape(1, 3)\n")
    results = gradescope(tmp_path, upload)
    test = next(t for t in results["tests"] if t["name"] == "q2b/Q2B_GRADS")
    assert (test["status"], test["score"]) == ("failed", 0.0)
    assert "(1, 3)" in test["output"] and "(3,)" in test["output"]
    namespace: dict[str, Any] = {}
    exec(compile(reference, "jhu_hw3.py", "exec"), namespace)
    for value in namespace["Q2B_GRADS"]:
        assert f"{value:.4f}" not in json.dumps(results), "the reference value leaked"
    assert results["score"] == pytest.approx(sum(
        points for kind, points in rubric_items("jhu-hw3").values() if kind != "text") - test["max_score"])


def test_every_upload_has_the_same_total_even_one_that_does_not_load(tmp_path: Path) -> None:
    upload = tmp_path / "submission"
    upload.mkdir()
    (upload / "hw3.py").write_text('ASSIGNMENT = "jhu-hw3"\ndef f(:\n')
    results = gradescope(tmp_path, upload)
    expected = rubric_items("jhu-hw3")
    automatic = sum(points for kind, points in expected.values() if kind != "text")
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(automatic)
    assert results["score"] == 0.0
    assert "SyntaxError" in results["output"] and "line 2" in results["output"]
    for test in results["tests"]:
        if expected[test["name"]][0] == "text":
            assert (test["score"], test["max_score"]) == (0.0, 0.0) and "status" not in test
        else:
            assert test["status"] == "failed"


@pytest.mark.torch
def test_a_folder_upload_with_mlp_py_is_one_submission(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    results = gradescope(tmp_path, EXAMPLES / "nyu-hw1" / "marie_curie")
    names = {t["name"] for t in results["tests"]}
    assert names == set(rubric_items("nyu-hw1"))  # the theory items and the mlp.py ones, one upload
    assert all(t.get("status", "passed") == "passed" for t in results["tests"])


def test_student_text_in_feedback_is_shown_as_plain_text(tmp_path: Path) -> None:
    upload = tmp_path / "submission"
    upload.mkdir()
    markup = "<img src=x onerror=alert(1)> **bold**"
    (upload / "hw3.py").write_text((SOLUTIONS / "jhu_hw3.py").read_text()
                                   + f"\ndef grad_W(a, b):\n    raise ValueError({markup!r})\n")
    results = gradescope(tmp_path, upload)
    test = next(t for t in results["tests"] if t["name"] == "q1a/grad_W")
    assert markup in test["output"] and test["status"] == "failed"
    assert (results["output_format"], results["test_output_format"], results["test_name_format"]) == \
        ("text", "text", "text")


def test_an_upload_that_prints_its_own_results_does_not_reach_them(tmp_path: Path) -> None:
    upload = tmp_path / "submission"
    upload.mkdir()
    forged = '{"score": 999, "tests": []}'
    (upload / "hw3.py").write_text((SOLUTIONS / "jhu_hw3.py").read_text().replace(
        'Q2B_TREND = "vanishing"', 'Q2B_TREND = "exploding"') + f"""
import os, sys
print({forged!r}); sys.__stdout__.write({forged!r}); os.write(1, {forged!r}.encode())
""")
    results = gradescope(tmp_path, upload)  # stdout must parse as one JSON document: ours
    automatic = sum(points for kind, points in rubric_items("jhu-hw3").values() if kind != "text")
    trend = next(t for t in results["tests"] if t["name"] == "q2b/Q2B_TREND")
    assert trend["status"] == "failed" and results["score"] == pytest.approx(automatic - trend["max_score"])


def test_an_upload_of_one_zipped_folder_is_read_inside_it(tmp_path: Path) -> None:
    upload = tmp_path / "submission"
    (upload / "hw3 final").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "jhu_hw3.py", upload / "hw3 final" / "hw3.py")
    (upload / "__MACOSX").mkdir()  # what a Mac's zip adds beside it
    results = gradescope(tmp_path, upload)
    automatic = sum(points for kind, points in rubric_items("jhu-hw3").values() if kind != "text")
    assert results["score"] == pytest.approx(automatic)


def test_gradescope_format_takes_exactly_one_upload(tmp_path: Path) -> None:
    two = run_grader("check", str(EXAMPLES / "jhu-hw3"), str(EXAMPLES / "mit-backprop"), "--format",
                     "gradescope", "--out", str(tmp_path / "o"))
    assert two.returncode == 2 and "--format gradescope grades one submission" in two.stderr
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("a.py", "ASSIGNMENT = 'jhu-hw3'\n")
    zipped = run_grader("check", str(archive), "--format", "gradescope", "--out", str(tmp_path / "o"))
    assert zipped.returncode == 2 and "a .zip is read as a class" in zipped.stderr
    assert not two.stdout and not zipped.stdout  # nothing Gradescope could mistake for results
