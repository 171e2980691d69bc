"""What CI systems read: junit.xml, GitHub Classroom's result, the Actions job summary and
annotations, and ``--fail-under``; with ids and feedback a hostile class chose.

Expected points come from the rubric files (tomllib), expected outcomes from report.json,
and the JUnit document is checked against Jenkins' published schema (``tests/data``) and read
back with junitparser. Workflow commands are read the way GitHub's runner reads them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

from grader import escape
from tests.conftest import ROOT, SOLUTIONS, run_grader

SCHEMA = ROOT / "tests" / "data" / "junit-10.xsd"
SEED = "4242"
HOSTILE_ID = "x<&\"'%25 ::add-mask::m ##[notice]n"
HOSTILE_TEXT = "\n::add-mask::secret\n%0A::stop-commands::tok\r\n::notice::forged\x01<&\"'##[warning]w"
REGISTERED = {"set-env", "set-output", "save-state", "add-mask", "add-path", "add-matcher", "remove-matcher",
              "debug", "warning", "error", "notice", "group", "endgroup", "echo", "stop-commands"}


def rubric_items(assignment: str) -> dict[str, tuple[str, float]]:
    """``question/name`` -> (kind, points), read from the shipped rubric."""
    rubric = tomllib.loads((ROOT / "rubrics" / f"{assignment}.toml").read_text())
    return {f"{q['id']}/{item['name']}": (item["kind"], row["points"] / len(row["items"]))
            for q in rubric["questions"] for row in q["rows"] for item in row["items"]}


def raising(reference: str) -> str:
    """The reference with grad_W raising an exception whose message is hostile text."""
    return reference + f"\ndef grad_W(W, X):\n    raise Exception({HOSTILE_TEXT!r})\n"


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ci") / "class"
    folder.mkdir()
    reference = (SOLUTIONS / "jhu_hw3.py").read_text()
    (folder / "correct.py").write_text(reference)
    (folder / f"{HOSTILE_ID}.py").write_text(raising(reference))
    (folder / "syntax.py").write_text('ASSIGNMENT = "jhu-hw3"\nx = 1\ndef f(:\n    pass\n')
    (folder / "unresolved.py").write_text("x = 1\n")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(os.fsencode(folder), b"bytes\xff\x1b[2J.py"), "w") as handle:
        handle.write(raising(reference))
    return folder


def check(folder: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    return run_grader("check", str(folder), "--out", str(out), "--seed", SEED, "--no-progress", *extra,
                      env={"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", "GITHUB_OUTPUT": "", **(env or {})})


@pytest.fixture(scope="module")
def graded(hostile_class: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("graded")
    summary = tmp / "summary.md"
    summary.write_text("earlier step\n")
    done = check(hostile_class, tmp / "out", env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp / "out" / "report.json").read_text())
    return {"done": done, "out": tmp / "out", "report": report, "summary": summary.read_text(),
            "by_student": {s["student"]: s for s in report["submissions"]}}


# -- JUnit ----------------------------------------------------------------------------------------


def test_junit_validates_against_the_published_schema_and_round_trips_ids_and_points(graded: dict[str, Any]) -> None:
    path = graded["out"] / "junit.xml"
    xmlschema.XMLSchema(str(SCHEMA)).validate(str(path))
    suites = list(JUnitXml.fromfile(str(path)))
    by_student = graded["by_student"]
    assert [s.name for s in suites] == [s["student"] for s in graded["report"]["submissions"]]
    assert HOSTILE_ID in by_student  # the id survived XML escaping exactly
    items = rubric_items("jhu-hw3")
    for suite in suites:
        sub = by_student[suite.name]
        props = {p.name: p.value for p in suite.properties()}
        assert float(props["points"]) == sub["points"] and float(props["max_points"]) == sub["max_points"]
        assert props["status"] == sub["status"]
        reported = {f"{q['id']}/{i['name']}": i for q in sub["questions"] for i in q["items"]}
        for key, item in reported.items():
            assert float(props[f"{key}.points"]) == item["points"], key
            assert float(props[f"{key}.max_points"]) == pytest.approx(items[key][1]), key
        cases = list(suite)
        if not sub["questions"]:
            assert [c.name for c in cases] == ["submission"] and isinstance(cases[0].result[0], Error)
            continue
        assert {f"{c.classname.split('.', 1)[1]}/{c.name}" for c in cases} == set(items)
        for case in cases:
            item = reported[f"{case.classname.split('.', 1)[1]}/{case.name}"]
            assert case.classname.startswith("jhu-hw3.")
            got = type(case.result[0]) if case.result else None
            assert got is _expected_result(item), (suite.name, case.name)
            if case.result and not isinstance(case.result[0], Skipped):
                assert case.result[0].message == escape.xml(item["feedback"])


def _expected_result(item: dict[str, Any]) -> type | None:
    outcome = item["outcome"]
    if outcome in ("wrong", "partial", "missing"):
        return Failure
    if outcome in ("error", "timeout"):
        return Error
    if outcome in ("manual", "not-gradable"):
        return Skipped
    return None if item["points"] >= item["max_points"] else Failure


def test_a_correct_submission_passes_every_automatic_test_case(graded: dict[str, Any]) -> None:
    suite = next(s for s in JUnitXml.fromfile(str(graded["out"] / "junit.xml")) if s.name == "correct")
    items = rubric_items("jhu-hw3")
    results = {f"{c.classname.split('.', 1)[1]}/{c.name}": c.result for c in suite}
    for key, (kind, _) in items.items():
        if kind == "text":
            assert isinstance(results[key][0], Skipped), key
        else:
            assert results[key] == [], key
    automatic = sum(points for kind, points in items.values() if kind != "text")
    assert float({p.name: p.value for p in suite.properties()}["points"]) == pytest.approx(automatic)


def test_format_junit_prints_the_same_document(graded: dict[str, Any], hostile_class: Path, tmp_path: Path) -> None:
    done = check(hostile_class, tmp_path / "out", "--format", "junit")
    assert done.returncode == 0, done.stderr
    xmlschema.XMLSchema(str(SCHEMA)).validate(str(tmp_path / "out" / "junit.xml"))
    printed = re.sub(r' time="[0-9.]+"', "", done.stdout)
    assert printed == re.sub(r' time="[0-9.]+"', "", (tmp_path / "out" / "junit.xml").read_text())


# -- GitHub Actions -------------------------------------------------------------------------------


def workflow_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    """Every line the runner would obey, as (command, properties, data), by its rules: a line that
    starts with ``::`` after leading spaces, or that holds ``##[command]`` anywhere."""
    found = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("::") and "::" in stripped[2:]:
            info, _, data = stripped[2:].partition("::")
            name, _, props = info.partition(" ")
            if name in REGISTERED:
                pairs = dict(p.split("=", 1) for p in props.split(",") if "=" in p)
                found.append((name, {k: _unescape(v, True) for k, v in pairs.items()}, _unescape(data, False)))
                continue
        for match in re.finditer(r"##\[([^\] ;]+)", line):
            if match.group(1) in REGISTERED:
                found.append((match.group(1), {}, line))
    return found


def _unescape(text: str, prop: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
    for code, char in pairs:
        text = text.replace(code, char)
    return text


def test_annotations_point_at_the_line_and_no_student_text_becomes_a_command(graded: dict[str, Any],
                                                                              hostile_class: Path) -> None:
    done = graded["done"]
    assert workflow_commands(done.stdout) == []  # the table: ids that look like commands are inert
    commands = workflow_commands(done.stderr)
    assert commands and {name for name, _, _ in commands} == {"error"}, commands
    by_file = {props["file"]: (props, data) for _, props, data in commands}
    props, data = by_file[f"{hostile_class}/syntax.py"]
    assert props["line"] == "3" and "SyntaxError" in data and props["title"].startswith("syntax:")
    props, data = by_file[f"{hostile_class}/{HOSTILE_ID}.py"]
    reference_lines = (SOLUTIONS / "jhu_hw3.py").read_text().count("\n")
    assert props["line"] == str(reference_lines + 3)  # the raise, two lines after the appended def
    assert "::add-mask::secret" in data and "::notice::forged" in data  # carried as text, on one line
    assert props["title"].startswith(HOSTILE_ID)
    for _, props, data in commands:
        assert "\n" not in props.get("file", "") and "\x01" not in data


def test_annotations_keep_a_machine_format_on_stdout_parseable(hostile_class: Path, tmp_path: Path) -> None:
    done = check(hostile_class, tmp_path / "out", "--format", "json", env={"GITHUB_ACTIONS": "true"})
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["submissions"]) == 5
    assert any(name == "error" for name, _, _ in workflow_commands(done.stderr))


def test_no_annotations_outside_actions(hostile_class: Path, tmp_path: Path) -> None:
    done = check(hostile_class, tmp_path / "out")
    assert workflow_commands(done.stderr) == [] and workflow_commands(done.stdout) == []


def cells(line: str) -> list[str]:
    """A Markdown table row's cells, split where GitHub splits them (at pipes not escaped)."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def test_step_summary_has_the_class_table_the_means_and_the_errors(graded: dict[str, Any]) -> None:
    summary = graded["summary"]
    assert summary.startswith("earlier step\n## Grades")  # appended, never replacing another step's
    lines = summary.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("| student |"))
    names = cells(lines[head])
    rows = []
    for line in lines[head + 2:]:
        if not line.startswith("|"):
            break
        rows.append(cells(line))
    assert len(rows) == 5 and all(len(r) == len(names) for r in rows)  # no id added or broke a cell
    assert not re.search(r"(?<!\\)[<&]", summary)  # HTML is text: every < and & escaped
    subs = graded["report"]["submissions"]
    graded_subs = [s for s in subs if s["questions"]]
    means = {line.split("|")[1].strip(): cells(line) for line in lines if re.match(r"\| q\d", line)}
    for question in ("q1a", "q2b"):
        expected = sum(q["points"] for s in graded_subs for q in s["questions"] if q["id"] == question) / len(subs)
        assert float(means[question][1]) == pytest.approx(expected, abs=0.01)
    errors = summary[summary.index("### Status error"):]
    assert "syntax: " in errors and "SyntaxError" in errors and "unresolved: " in errors


# -- GitHub Classroom -----------------------------------------------------------------------------


def test_classroom_result_has_the_reporter_shape_and_goes_to_the_step_output(tmp_path: Path) -> None:
    upload = tmp_path / "repo"
    upload.mkdir()
    (upload / "hw3.py").write_text(raising((SOLUTIONS / "jhu_hw3.py").read_text()))
    (upload / "README.md").write_text("a student's repository holds other files\n")
    output = tmp_path / "github_output"
    output.write_text("earlier=1\n")
    done = check(upload, tmp_path / "out", "--format", "classroom", env={"GITHUB_OUTPUT": str(output)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    items = rubric_items("jhu-hw3")
    automatic = sum(p for kind, p in items.values() if kind != "text")
    assert set(result) == {"version", "status", "max_score", "tests"}
    assert result["version"] == 1 and result["status"] == "fail"
    assert result["max_score"] == pytest.approx(automatic)
    tests = {t["name"]: t for t in result["tests"]}
    assert set(tests) == set(items)
    for name, test in tests.items():
        assert {"name", "status", "score", "message"} <= set(test) <= {"name", "status", "score", "message",
                                                                      "filename", "line_no"}
        assert test["status"] in ("pass", "fail", "error") and isinstance(test["message"], str)
        if items[name][0] == "text":
            assert test["score"] == 0
    assert tests["q1a/grad_W"]["status"] == "error" and tests["q1a/grad_W"]["score"] == 0
    assert tests["q1a/grad_W"]["filename"] == f"{upload}/hw3.py" and tests["q1a/grad_W"]["line_no"] > 0
    assert sum(t["score"] for t in tests.values()) == pytest.approx(automatic - items["q1a/grad_W"][1])
    lines = output.read_text().splitlines()
    assert lines[0] == "earlier=1" and len(lines) == 2 and lines[1].startswith("result=")
    assert json.loads(base64.b64decode(lines[1].removeprefix("result="))) == result


def test_classroom_grades_one_submission(hostile_class: Path, tmp_path: Path) -> None:
    done = run_grader("check", str(hostile_class), str(hostile_class), "--format", "classroom", "--out",
                      str(tmp_path / "out"))
    assert done.returncode == 2 and "one submission" in done.stderr


def test_a_repository_graded_from_inside_is_named_after_its_folder(tmp_path: Path) -> None:
    repo = tmp_path / "alice-hw3"
    repo.mkdir()
    shutil.copy(ROOT / "examples" / "submissions" / "jhu-hw3" / "ada_lovelace.py", repo / "hw3.py")
    done = run_grader("check", ".", "--format", "classroom", "--no-progress", "--out", str(tmp_path / "out"),
                      cwd=repo)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "pass"
    assert [p.name for p in (tmp_path / "out" / "feedback").iterdir()] == ["alice-hw3.md"]


# -- --fail-under ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("threshold", "code"), [("24", 0), ("24.5", 5), ("100%", 0), ("99%", 0)])
def test_fail_under_a_correct_submission(tmp_path: Path, threshold: str, code: int) -> None:
    upload = tmp_path / "correct.py"
    upload.write_text((SOLUTIONS / "jhu_hw3.py").read_text())
    done = check(upload, tmp_path / "out", "--fail-under", threshold)
    assert done.returncode == code, done.stderr
    assert ("below --fail-under" in done.stderr) == (code == 5)


def test_fail_under_a_class_fails_when_any_submission_is_below(hostile_class: Path, tmp_path: Path) -> None:
    done = check(hostile_class, tmp_path / "out", "--fail-under", "50%")
    assert done.returncode == 5
    assert "syntax" in done.stderr.split("below --fail-under", 1)[1]
    assert (tmp_path / "out" / "report.json").exists()  # every report is still written


@pytest.mark.parametrize("threshold", ["-1", "abc", "101%", "nan"])
def test_fail_under_refuses_what_it_cannot_read(tmp_path: Path, threshold: str) -> None:
    done = run_grader("check", str(tmp_path), "--fail-under", threshold, "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "--fail-under" in done.stderr


# -- escaping, alone ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [HOSTILE_TEXT, "a\r\n::error::x", "%0A::x", "\u2028::add-mask::y\x85z",
                                  "bad \udcff byte", "::stop-commands::t\n::t::"])
def test_workflow_escaping_keeps_any_text_on_one_command_line(text: str) -> None:
    line = f"::error title={escape.workflow_property(text)}::{escape.workflow_data(text)}"
    assert "\n" not in line and "\r" not in line and "\u2028" not in line and "\x85" not in line
    assert line.encode("utf-8")  # no lone surrogate left
    (name, props, data), = workflow_commands(line)
    assert name == "error"
    assert props["title"].count("\n") == data.count("\n")  # lines kept, as data, not commands


@pytest.mark.parametrize("text", ["::add-mask::x", "  ::warning::y", "a ##[add-mask]z", "##[stop-commands]t"])
def test_terminal_text_is_no_workflow_command(text: str) -> None:
    assert workflow_commands(escape.terminal(text)) == []
