"""A re-grade after a rubric edit says whose totals moved, and `grader diff` compares two output folders."""

from __future__ import annotations

import csv
import io
import json
import runpy
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, SOLUTIONS, run_grader

SEED = "4242"


@pytest.fixture
def tolerance_class(tmp_path: Path) -> Path:
    """Q2A_MAX is 0.25: two students are off by 0.01 (out of the rubric's tolerance), one by 0.1."""
    folder = tmp_path / "class"
    folder.mkdir()
    reference = (SOLUTIONS / "jhu_hw3.py").read_text()
    (folder / "exact.py").write_text(reference)
    (folder / "close_one.py").write_text(reference + "\nQ2A_MAX = 0.26\n")
    (folder / "close_two.py").write_text(reference + "\nQ2A_MAX = 0.24\n")
    (folder / "far.py").write_text(reference + "\nQ2A_MAX = 0.35\n")
    (folder / "other_mistake.py").write_text(reference + '\nQ2B_TREND = "exploding"\n')
    return folder


def _loosened(tmp_path: Path, atol: float = 0.05) -> Path:
    """A copy of the shipped rubric with Q2A_MAX's tolerance widened to ``atol``."""
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    shutil.copy(ROOT / "rubrics" / "jhu-hw3.py", rubrics)
    text = (ROOT / "rubrics" / "jhu-hw3.toml").read_text()
    old = '    name = "Q2A_MAX"\n    kind = "number"\n'
    assert text.count(old) == 1
    (rubrics / "jhu-hw3.toml").write_text(text.replace(old, old + f"    atol = {atol!r}\n"))
    return rubrics


def _check(*args: str) -> str:
    done = run_grader("check", *args, "--seed", SEED, "--no-progress")
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.slow
def test_a_tolerance_fix_names_exactly_the_students_it_moved(tmp_path: Path, tolerance_class: Path) -> None:
    out = tmp_path / "out"
    first = _check(str(tolerance_class), "--out", str(out))
    assert "re-grade" not in first  # nothing to compare with on a first run
    shutil.copytree(out, tmp_path / "before")
    again = _check(str(tolerance_class), "--out", str(out))
    assert "re-grade: no total changed since the previous report" in again

    stderr = _check(str(tolerance_class), "--out", str(out), "--rubrics", str(_loosened(tmp_path)))
    lines = [line.strip() for line in stderr.splitlines()]
    assert f"re-grade: 2 students' totals changed since the previous report in {out}/ (5 graded now):" in lines
    assert "close_one: 23.5 -> 24 (q2a/Q2A_MAX: wrong 0 -> correct 0.5)" in lines
    assert "close_two: 23.5 -> 24 (q2a/Q2A_MAX: wrong 0 -> correct 0.5)" in lines
    assert not any(line.startswith(("exact:", "far:", "other_mistake:")) for line in lines)

    page = (out / "report.html").read_text()
    assert "Changes since the previous run" in page and "2 of 5 students&#39; totals changed" in page

    table = run_grader("diff", str(tmp_path / "before"), str(out))
    assert table.returncode == 0, table.stderr
    assert "5 students, 2 totals changed, 2 with changes" in table.stdout
    rows = list(csv.DictReader(io.StringIO(run_grader("diff", str(tmp_path / "before"), str(out),
                                                      "--format", "csv").stdout)))
    assert {(r["student"], r["item"], r["outcome_a"], r["points_a"], r["outcome_b"], r["points_b"]) for r in rows} == {
        ("close_one", "(total)", "", "23.5", "", "24"), ("close_one", "q2a/Q2A_MAX", "wrong", "0", "correct", "0.5"),
        ("close_two", "(total)", "", "23.5", "", "24"), ("close_two", "q2a/Q2A_MAX", "wrong", "0", "correct", "0.5")}
    data = json.loads(run_grader("diff", str(tmp_path / "before"), str(out), "--format", "json").stdout)
    assert data["students_compared"] == 5
    assert [(c["student"], c["before"], c["after"]) for c in data["changes"]] == [
        ("close_one", 23.5, 24.0), ("close_two", 23.5, 24.0)]
    assert data["changes"][0]["items"] == [{"item": "q2a/Q2A_MAX", "before": ["wrong", 0.0],
                                            "after": ["correct", 0.5]}]


def test_diff_of_a_folder_without_a_report_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "report.json").write_text("{not json")
    missing = run_grader("diff", str(tmp_path / "a"), str(tmp_path / "b"))
    assert missing.returncode == 2 and f"{tmp_path / 'a' / 'report.json'}: cannot be read" in missing.stderr
    (tmp_path / "a" / "report.json").write_text('{"submissions": []}')
    broken = run_grader("diff", str(tmp_path / "a"), str(tmp_path / "b"))
    assert broken.returncode == 2 and f"{tmp_path / 'b' / 'report.json'}: not a report.json" in broken.stderr
    nowhere = run_grader("diff", str(tmp_path / "a"), str(tmp_path / "nowhere"))
    assert nowhere.returncode == 2 and "no such output folder" in nowhere.stderr


# Q2A_MAX off the reference by these amounts (0: exact); none within 0.01 of it but the exact
# ones, so the shipped rubric, which leaves Q2A_MAX the number kind's far smaller tolerance, marks
# every other one wrong. TREND also gets Q2B_TREND wrong, which no tolerance forgives.
OFFSETS = {"exact": 0.0, "up_one": 0.01, "down_two": -0.02, "up_four": 0.04, "up_seven": 0.07,
           "down_ten": -0.1, "o'neil, \"jr\"": 0.03, "trend_only": 0.0}
TREND = {"o'neil, \"jr\"", "trend_only"}
NEW_ATOL = 0.045


def _worth(assignment: str) -> tuple[dict[str, float], float]:
    """Each automatic item's points (``question/name``), and the automatic maximum, from the rubric."""
    rubric = tomllib.loads((ROOT / "rubrics" / f"{assignment}.toml").read_text())
    points = {f"{q['id']}/{item['name']}": row["points"] / len(row["items"])
              for q in rubric["questions"] for row in q["rows"] for item in row["items"] if item["kind"] != "text"}
    return points, sum(points.values())


def _shown(points: float) -> str:
    return f"{points:g}"


@pytest.mark.slow
def test_diff_json_and_csv_name_exactly_the_students_a_tolerance_change_moves(tmp_path: Path) -> None:
    shipped = tomllib.loads((ROOT / "rubrics" / "jhu-hw3.toml").read_text())
    q2a_max = next(item for q in shipped["questions"] for row in q["rows"] for item in row["items"]
                   if item["name"] == "Q2A_MAX")
    assert "atol" not in q2a_max and "rtol" not in q2a_max  # the kind's default: far below 0.01
    reference_path = SOLUTIONS / "jhu_hw3.py"
    expected_value = runpy.run_path(str(reference_path))["Q2A_MAX"]
    reference = reference_path.read_text()
    folder = tmp_path / "class"
    folder.mkdir()
    for student, offset in OFFSETS.items():
        code = reference + f"\nQ2A_MAX = {expected_value + offset!r}\n"
        code += '\nQ2B_TREND = "exploding"\n' if student in TREND else ""
        (folder / f"{student}.py").write_text(code)
    _check(str(folder), "--out", str(tmp_path / "a"))
    _check(str(folder), "--out", str(tmp_path / "b"), "--rubrics", str(_loosened(tmp_path, NEW_ATOL)))

    worth, maximum = _worth("jhu-hw3")
    item, trend = "q2a/Q2A_MAX", "q2b/Q2B_TREND"
    moved = sorted(s for s, offset in OFFSETS.items() if 0 < abs(offset) <= NEW_ATOL)
    assert moved == sorted(["up_one", "down_two", "up_four", "o'neil, \"jr\""])  # the test's own arithmetic
    before = {s: maximum - worth[item] - (worth[trend] if s in TREND else 0.0) for s in moved}
    after = {s: before[s] + worth[item] for s in moved}

    done = run_grader("diff", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["students_compared"] == len(OFFSETS)
    assert sorted(data["changes"], key=lambda c: c["student"]) == [
        {"student": s, "before": before[s], "after": after[s],
         "items": [{"item": item, "before": ["wrong", 0.0], "after": ["correct", worth[item]]}]} for s in moved]

    done = run_grader("diff", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "student,item,outcome_a,points_a,outcome_b,points_b"
    rows = [tuple(row) for row in csv.reader(io.StringIO(done.stdout))][1:]
    assert sorted(rows) == sorted(
        [(s, "(total)", "", _shown(before[s]), "", _shown(after[s])) for s in moved]
        + [(s, item, "wrong", "0", "correct", _shown(worth[item])) for s in moved])
