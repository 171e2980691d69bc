"""What an instructor and a student meet on first use: nothing lost, nothing contradictory.

One test per finding of the first-use review (the issue "Nothing lost, nothing
contradictory"), each run end to end through the ``grader`` command.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT, SOLUTIONS, TEMPLATES, run_grader

SEED = "7"
REFERENCE = (SOLUTIONS / "jhu_hw3.py").read_text()
MIT_REFERENCE = (SOLUTIONS / "mit_backprop.py").read_text()


def check(tmp_path: Path, *paths: Path, extra: tuple[str, ...] = (), out: Path | None = None,
          expect: int = 0) -> tuple[Any, Path]:
    out = out or tmp_path / "out"
    done = run_grader("check", *map(str, paths), "--out", str(out), "--seed", SEED, "--no-progress", *extra)
    assert done.returncode == expect, done.stderr[-3000:]
    return done, out


def sheet(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _mixed_class(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.py").write_text(REFERENCE)
    (folder / "bob.py").write_text(REFERENCE)
    (folder / "emmy.py").write_text(MIT_REFERENCE)
    (folder / "no_line.py").write_text("x = 1\n")
    (folder / "future.py").write_text('ASSIGNMENT = "jhu-hw4"\n')
    return folder


# -- instructors: no student may drop out of the results -----------------------------------------


def test_a_mixed_class_keeps_every_submission_in_a_sheet_and_names_the_unresolved(tmp_path: Path) -> None:
    done, out = check(tmp_path, _mixed_class(tmp_path))
    assert sorted(p.name for p in out.glob("grades*.csv")) == ["grades-jhu-hw3.csv", "grades-mit-backprop.csv",
                                                                "grades-unresolved.csv"]
    students = {row["student"] for name in out.glob("grades*.csv") for row in sheet(name)[1:]}
    assert students == {"ada", "bob", "emmy", "no_line", "future"}
    unresolved = {row["student"]: row for row in sheet(out / "grades-unresolved.csv")[1:]}
    assert set(unresolved) == {"no_line", "future"}
    assert all(row["status"] == "error" and row["reason"] for row in unresolved.values())
    assert "jhu-hw4" in unresolved["future"]["reason"] and "ASSIGNMENT" in unresolved["no_line"]["reason"]
    warning = next(line for line in done.stderr.splitlines() if line.startswith("warning:"))
    assert "no_line" in warning and "future" in warning


def test_a_one_assignment_class_keeps_its_unresolved_students_in_its_one_sheet(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.py").write_text(REFERENCE)
    (folder / "no_line.py").write_text("x = 1\n")
    _, out = check(tmp_path, folder)
    assert [p.name for p in out.glob("grades*.csv")] == ["grades.csv"]
    rows = {row["student"]: row for row in sheet(out / "grades.csv")[1:]}
    assert rows["no_line"]["status"] == "error" and rows["ada"]["status"] == "graded"


def test_an_output_folder_inside_the_class_is_never_a_student(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.py").write_text(REFERENCE)
    for _ in range(2):
        done, _ = check(tmp_path, folder, out=folder / "results")
    (folder / "old-results").mkdir()
    (folder / "old-results" / "report.json").write_text("{}")  # any folder of grader outputs
    done, out = check(tmp_path, folder, out=folder / "results")
    assert [s["student"] for s in json.loads((out / "report.json").read_text())["submissions"]] == ["ada"]
    assert "old-results" in done.stderr


@pytest.mark.parametrize("contents", [{}, {"a.pdf": b"%PDF", "b.pdf": b"%PDF", "notes.txt": b"x"}])
def test_a_class_that_yields_nothing_is_a_usage_error_that_says_what_was_ignored(
        tmp_path: Path, contents: dict[str, bytes]) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    done, out = check(tmp_path, folder, expect=2)
    assert "no submissions found" in done.stderr
    if contents:
        assert "2 .pdf files" in done.stderr and "1 .txt file" in done.stderr
    assert not (out / "report.json").exists()


def test_the_same_student_twice_is_graded_apart_with_a_warning_naming_both(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.py").write_text(REFERENCE)
    (folder / "alice.ipynb").write_text((TEMPLATES / "jhu-hw3" / "jhu_hw3.ipynb").read_text())
    (folder / "bob.py").write_text(REFERENCE)
    (folder / "bob").mkdir()
    (folder / "bob" / "hw3.py").write_text(REFERENCE)
    done, out = check(tmp_path, folder)
    students = {s["student"] for s in json.loads((out / "report.json").read_text())["submissions"]}
    assert students == {"alice.py", "alice.ipynb", "bob.py", "bob/"}
    notes = [line for line in done.stderr.splitlines() if "several submissions" in line]
    assert len(notes) == 2
    assert "alice.py" in notes[0] and "alice.ipynb" in notes[0]


def test_the_end_of_a_run_says_what_happened(tmp_path: Path) -> None:
    folder = _mixed_class(tmp_path)
    (folder / "syntax.py").write_text('ASSIGNMENT = "jhu-hw3"\ndef f(:\n')
    (folder / "slides.pdf").write_bytes(b"%PDF")
    done, _ = check(tmp_path, folder)
    assert re.search(r"graded 6 submissions", done.stderr)
    assert "3 with status error" in done.stderr and "SyntaxError" in done.stderr
    assert "ignored: 1 .pdf file" in done.stderr
    table = done.stdout
    assert "reason" in table and "SyntaxError" in table  # each error row says why


def test_csv_of_a_mixed_class_is_refused_with_a_way_out(tmp_path: Path) -> None:
    done, _ = check(tmp_path, _mixed_class(tmp_path), extra=("--format", "csv"), expect=2)
    assert "mixes assignments" in done.stderr and "--out" in done.stderr


def test_automatic_points_are_out_of_the_automatic_maximum_everywhere(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.py").write_text(REFERENCE)
    _, out = check(tmp_path, folder)
    possible = sheet(out / "grades.csv")[0]
    assert (possible["automatic"], possible["manual"], possible["total"]) == ("24", "3", "27")
    assert "Automatic score: **24 / 24**" in (out / "feedback" / "ada.md").read_text()
    report = json.loads((out / "report.json").read_text())["submissions"][0]
    assert (report["max_points"], report["manual_max_points"]) == (24, 3)
    done = run_grader("check", str(folder / "ada.py"), "--out", str(tmp_path / "gs"), "--format", "gradescope",
                      "--no-progress")
    assert json.loads(done.stdout)["output"].startswith("Automatic points: 24 of 24.")


THIRDS = """
schema_version = 1
assignment = "jhu-hw3"
title = "A row of 8 points over three items"
solutions = { theory = "jhu_hw3" }

[[questions]]
id = "q2a"
  [[questions.rows]]
  points = 8
    [[questions.rows.items]]
    name = "Q2A_MAX"
    kind = "number"
    [[questions.rows.items]]
    name = "Q2A_ARGMAX"
    kind = "number"
    [[questions.rows.items]]
    name = "Q2A_INF"
    kind = "number"
"""


def test_points_never_exceed_their_maximum(tmp_path: Path) -> None:
    """Items worth 8/3: points and maxima are rounded alike, and the question makes exactly 8."""
    custom = tmp_path / "thirds.toml"
    custom.write_text(THIRDS)
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.py").write_text(REFERENCE)
    _, out = check(tmp_path, folder, extra=("--rubric", str(custom)))
    report = json.loads((out / "report.json").read_text())["submissions"][0]
    items = report["questions"][0]["items"]
    assert [i["max_points"] for i in items] == [2.666667] * 3
    assert all(i["points"] == i["max_points"] for i in items)
    assert report["questions"][0]["points"] == report["points"] == 8
    assert sheet(out / "grades.csv")[1]["automatic"] == "8"


def test_list_and_solve_print_numbers_as_people_write_them() -> None:
    listing = run_grader("list").stdout
    assert "2.66667" not in listing and "(27 points: 24 automatic, 3 graded by hand)" in listing
    solved = run_grader("solve", "jhu-hw3").stdout
    assert "0.26" in solved and "0.25999999999999995" not in solved
    assert json.loads(run_grader("solve", "jhu-hw3", "--format", "json").stdout)["q1b"]["Q1B_W_NEW"][0][0] == 0.26


# -- manual grading reaches the student ------------------------------------------------------------


def test_a_manual_score_reaches_the_report_the_sheets_and_the_students_feedback(tmp_path: Path) -> None:
    _, out = check(tmp_path, _mixed_class(tmp_path))
    done = run_grader("manual", str(out), "--student", "ada", "--item", "q1a/Q1A_DERIVATION", "--points", "2.5",
                      "--comment", "Right idea; # the chain rule <b>step</b> is missing")
    assert done.returncode == 0, done.stderr
    assert "grades-jhu-hw3.csv" in done.stdout and "grades.csv" not in done.stdout.replace("grades-", "")
    report = {s["student"]: s for s in json.loads((out / "report.json").read_text())["submissions"]}
    item = next(i for q in report["ada"]["questions"] for i in q["items"] if i["name"] == "Q1A_DERIVATION")
    assert (item["manual_points"], item["manual_comment"]) == (2.5, "Right idea; # the chain rule <b>step</b> is missing")
    assert (report["ada"]["manual_points"], report["ada"]["pending_manual_points"]) == (2.5, 0)
    feedback = (out / report["ada"]["feedback_file"]).read_text()
    assert "2.5 / 3, entered by hand" in feedback and "Right idea" in feedback and "Pending" not in feedback
    assert "\n# the chain rule" not in feedback  # the comment stays plain text
    row = next(r for r in sheet(out / "grades-jhu-hw3.csv")[1:] if r["student"] == "ada")
    assert (row["manual"], row["manual_pending"], row["total"]) == ("2.5", "0", "26.5")


def test_manual_entry_while_a_check_holds_the_folder_names_the_holder(tmp_path: Path) -> None:
    from grader.store import output_lock

    out = tmp_path / "out"
    with output_lock(out, "check"):
        done = run_grader("manual", str(out), "--student", "ada", "--item", "q1a/Q1A_DERIVATION", "--points", "1")
    assert done.returncode == 2
    assert f"pid {os.getpid()}" in done.stderr and "grader check" in done.stderr


# -- the self-test agrees with the grader -------------------------------------------------------------


def test_rounded_answers_the_grader_accepts_pass_the_self_test(tmp_path: Path) -> None:
    path = tmp_path / "rounded.py"
    path.write_text(REFERENCE + "\nQ2B_GRADS = [0.001, -0.043, -0.197]\nQ1B_W_NEW = [[0.26, -0.12], [-0.8, -0.02]]\n")
    done = run_grader("selftest", str(path))
    assert done.returncode == 0, done.stdout
    assert "[fix]" not in done.stdout
    _, out = check(tmp_path, path)
    assert json.loads((out / "report.json").read_text())["submissions"][0]["points"] == 24


def test_a_blank_template_has_nothing_to_fix_and_no_duplicate_lines(tmp_path: Path) -> None:
    done = run_grader("selftest", str(TEMPLATES / "jhu-hw3" / "jhu_hw3.py"))
    assert "0 problem(s) to fix" in done.stdout and "could not run" not in done.stdout
    assert "is not written yet" not in done.stdout  # the item's own todo line says it once
    assert "Q2_NOTES is optional" in done.stdout
    todo = int(re.search(r"(\d+) item\(s\) still to do", done.stdout).group(1))
    assert todo == sum(1 for line in done.stdout.splitlines() if line.strip().startswith("[todo]"))
    assert not any("Q2_NOTES" in line for line in done.stdout.splitlines() if "[todo]" in line)


def test_a_check_that_breaks_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "odd.py"
    path.write_text(REFERENCE + "\ndef l2_step(W, X, Y, lr):\n    raise KeyError('mine')\n")
    done = run_grader("selftest", str(path), "--question", "q1b")
    assert "the check 'l2_step gradient check' could not run: KeyError" in done.stdout


def test_the_nyu_template_folder_copied_as_it_is_self_tests(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(TEMPLATES / "nyu-hw1", folder)
    done = run_grader("selftest", str(folder))
    assert done.returncode == 1, done.stderr  # problems: it is blank; but it ran
    assert "no ASSIGNMENT line" not in done.stderr + done.stdout
    assert "hand in only one of them" in done.stdout


def test_grader_check_in_a_notebook_shows_only_the_checklist() -> None:
    import grader

    namespace = {"ASSIGNMENT": "jhu-hw3"}
    import __main__

    saved = dict(vars(__main__))
    vars(__main__).update(namespace)
    try:
        stream = io.StringIO()
        import contextlib

        with contextlib.redirect_stdout(stream):
            assert grader.check("q2b") is None
        assert "Self-test of this notebook" in stream.getvalue()
    finally:
        vars(__main__).clear()
        vars(__main__).update(saved)


# -- grading errors and leaks -----------------------------------------------------------------------


def test_a_submission_may_import_torch_whatever_its_assignment(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "emmy.py").write_text("import torch\n" + MIT_REFERENCE + "\n_t = torch.ones(3) * 2\n")
    _, out = check(tmp_path, folder)
    sub = json.loads((out / "report.json").read_text())["submissions"][0]
    assert sub["status"] == "graded" and sub["points"] == sub["max_points"] == 15, sub["error"]


def test_memory_below_what_the_harness_needs_is_a_usage_error_and_the_floor_works(tmp_path: Path) -> None:
    done, _ = check(tmp_path, EXAMPLES / "jhu-hw3", extra=("--memory", "1"), expect=2)
    assert "--memory 1" in done.stderr and "128" in done.stderr
    done, out = check(tmp_path, EXAMPLES / "jhu-hw3", extra=("--memory", "128"), out=tmp_path / "floor")
    points = {s["student"]: s["points"] for s in json.loads((out / "report.json").read_text())["submissions"]}
    assert points["ada_lovelace"] == 24 and "harness" not in done.stderr


def test_a_timeout_says_so_first(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "loop.py").write_text(REFERENCE + "\ndef grad_W(a, b):\n    while True:\n        pass\n")
    _, out = check(tmp_path, folder)
    item = next(i for q in json.loads((out / "report.json").read_text())["submissions"][0]["questions"]
                for i in q["items"] if i["name"] == "grad_W")
    first = item["feedback"].splitlines()[0]
    assert item["outcome"] == "timeout" and "timed out" in first and "|actual" not in first


def test_a_syntax_error_is_said_once_with_the_items_it_cost(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "syntax.py").write_text(REFERENCE.replace("def grad_W(", "def grad_W(:", 1))
    _, out = check(tmp_path, folder)
    text = (out / "feedback" / "syntax.md").read_text()
    assert text.count("SyntaxError") == 1
    assert "16 item(s) it defines are missing" in text and "q2d/Q2D_TREND" in text


# -- docs that must match -----------------------------------------------------------------------------


def test_the_docs_the_package_points_to_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    for reference in re.findall(r'README \("([^"]+)"\)', (ROOT / "pyproject.toml").read_text()):
        assert f"## {reference}" in readme or f"### {reference}" in readme, reference
    command = readme.split("<!-- test-command -->")[1].split("<!-- /test-command -->")[0]
    assert "download.pytorch.org/whl/cpu" in command  # the CPU build the text advises
