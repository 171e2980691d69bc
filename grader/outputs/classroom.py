"""``--format classroom``: the result GitHub Classroom's grading reporter reads, for one submission.

A student's repository grades itself on push: ``grader check . --format classroom`` prints
``{"version": 1, "status", "max_score", "tests": [...]}``, one test per rubric item with its
points (``score``) and its feedback (``message``), and, where the line that raised is known,
its ``filename`` and ``line_no``. The reporter adds up the tests' scores against ``max_score``.
Like ``--format gradescope``, text items count 0 of 0 here (an instructor grades them by hand),
so the score is the automatic points.

Under GitHub Actions (``GITHUB_OUTPUT`` set) the same document is also written, base64-encoded,
to the step's output ``result``, which is what the reporter's ``<RUNNER>_RESULTS`` variable takes:
base64 has no newline, so ``result=<base64>`` is one safe line of ``$GITHUB_OUTPUT``.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any, TextIO

from grader.outputs import RunInfo, register
from grader.report import ItemReport, SubmissionReport, points_text

STATUS = {"correct": "pass", "error": "error", "timeout": "error", "not-gradable": "error"}


@register("classroom")
class Classroom:
    """Prints the reporter's JSON; under Actions, also sets the step output ``result``."""

    def __init__(self, info: RunInfo, stream: TextIO) -> None:
        self.stream = stream
        self.documents: list[dict[str, Any]] = []

    def add(self, report: SubmissionReport) -> None:
        document = result(report)
        self.documents.append(document)
        self.stream.write(json.dumps(document, indent=1) + "\n")

    def close(self) -> None:
        target = os.environ.get("GITHUB_OUTPUT")
        if target and len(self.documents) == 1:
            encoded = base64.b64encode(json.dumps(self.documents[0]).encode()).decode("ascii")
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(f"result={encoded}\n")


def result(submission: SubmissionReport) -> dict[str, Any]:
    """The reporter's document for one submission's report."""
    tests = [_test(question, item) for question, item in submission.items()]
    if not submission.questions:
        tests = [{"name": "submission", "status": "error", "score": 0.0, "message": submission.error or ""}]
    statuses = {test["status"] for test in tests}
    status = "error" if submission.status == "error" else "fail" if statuses - {"pass"} else "pass"
    return {"version": 1, "status": status, "max_score": submission.max_points, "tests": tests}


def _test(question: str, item: ItemReport) -> dict[str, Any]:
    test: dict[str, Any] = {"name": f"{question}/{item.name}", "status": _status(item), "score": item.points,
                            "message": item.feedback}
    if item.manual:
        test["score"] = 0.0
        test["message"] = (f"Graded by hand: worth {points_text(item.max_points)} points, which this score does "
                           "not include.\n" + item.feedback).rstrip()
    if item.location is not None:
        test["filename"] = item.location.file
        test["line_no"] = item.location.line or 0
    return test


def _status(item: ItemReport) -> str:
    if item.manual and item.outcome == "manual":
        return "pass"  # awaiting an instructor: nothing for the student to fix here
    if item.outcome == "flagged":
        return "pass" if item.points >= item.max_points else "fail"
    return STATUS.get(item.outcome.value, "fail")
