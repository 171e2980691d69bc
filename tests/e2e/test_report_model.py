"""report.json is what the typed model says it is, and what docs/report-schema.json documents.

The file of a real run (a mixed class with a broken and an unresolved submission, so every
branch of the model is exercised) is validated twice: by pydantic against ``RunReport``,
and by an independent JSON Schema validator against the published schema document.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from grader.report import RunReport, SubmissionReport
from tests.conftest import EXAMPLES, ROOT, run_grader

SCHEMA = json.loads((ROOT / "docs" / "report-schema.json").read_text())


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    folder = root / "class"
    shutil.copytree(EXAMPLES / "jhu-hw3", folder)
    for name in ("emmy_noether.py", "blank_template.py"):
        shutil.copy(EXAMPLES / "mit-backprop" / name, folder / name)
    (folder / "syntax_error.py").write_text('ASSIGNMENT = "jhu-hw3"\ndef (:\n')
    (folder / "no_line.py").write_text("x = 1\n")
    done = run_grader("check", str(folder), "--out", str(root / "out"), "--seed", "5", "--no-progress")
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "out"


def test_report_json_is_a_run_report(out: Path) -> None:
    text = (out / "report.json").read_text()
    report = RunReport.model_validate_json(text)
    assert len(report.submissions) == 8
    assert {s.status for s in report.submissions} == {"graded", "error"}
    assert json.loads(report.model_dump_json()) == {**json.loads(text), "created": report.created}


def test_report_json_follows_the_published_schema(out: Path) -> None:
    document = json.loads((out / "report.json").read_text())
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_the_schema_would_catch_a_wrong_report(out: Path) -> None:
    document = json.loads((out / "report.json").read_text())
    document["submissions"][0]["questions"][0]["items"][0]["outcome"] = "excellent"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)
    del document["submissions"][0]["points"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_every_results_line_is_a_submission_report(out: Path) -> None:
    lines = (out / "results.jsonl").read_text().splitlines()
    assert lines
    students = set()
    for line in lines:
        record = json.loads(line)
        report = record.get("report", record)
        students.add(SubmissionReport.model_validate(report).student)
    assert len(students) == 8
