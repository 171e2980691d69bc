"""Gradescope's ``results.json`` for one graded submission (``grader check --format gradescope``).

Gradescope runs an autograder once per student upload and shows the student what the
autograder writes to ``/autograder/results/results.json`` (its "Autograder Specifications").
Each rubric item becomes one test, worth the item's points, with the item's feedback as its
output. Feedback never holds a reference value, so every test is visible. A text item awaiting
an instructor counts 0 of 0 here: Gradescope grades it by hand in its own outline, and an
autograder total that counted it would read as lost points.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from grader.kinds.base import Outcome
from grader.writers import fmt

MANUAL = Outcome.MANUAL.value


def write(stdout: TextIO, submission: dict[str, Any]) -> None:
    """Print the results.json document; ``run_autograder`` sends it where Gradescope reads it."""
    stdout.write(json.dumps(results(submission), indent=1) + "\n")


def results(submission: dict[str, Any]) -> dict[str, Any]:
    """The results.json document for one submission's report (a ``SubmissionReport`` as JSON)."""
    tests = [_test(question["id"], number, item)
             for question in submission["questions"]
             for number, item in enumerate(question["items"], start=1)]
    return {
        "score": submission["points"],
        "execution_time": round(submission["seconds"], 2),
        "output": _summary(submission),
        "visibility": "visible",
        "stdout_visibility": "hidden",  # the grader's own log, for the instructor
        "tests": tests,
    }


def _test(question: str, number: int, item: dict[str, Any]) -> dict[str, Any]:
    test: dict[str, Any] = {
        "name": f"{question}/{item['name']}",
        "number": f"{question}.{number}",
        "score": item["points"],
        "max_score": round(item["max_points"], 6),  # as points are: 8/3 must not show 2.666667 of 2.6666666
        "output": item["feedback"],
        "visibility": "visible",
    }
    if item["outcome"] == MANUAL:
        test["max_score"] = 0.0
        test["output"] = (f"Graded by hand: worth {fmt(item['max_points'])} points, which this "
                          "autograder score does not include.\n" + item["feedback"]).rstrip()
    else:
        test["status"] = "passed" if item["points"] >= test["max_score"] else "failed"
    return test


def _summary(submission: dict[str, Any]) -> str:
    lines = [f"Automatic points: {fmt(submission['points'])} of "
             f"{fmt(submission['max_points'] - submission['pending_manual_points'])}."]
    if submission["pending_manual_points"]:
        lines.append(f"{fmt(submission['pending_manual_points'])} more points are graded by hand.")
    if submission["error"]:
        lines.append(f"Problem: {submission['error']}")
    lines += [f"Note: {warning}" for warning in submission["warnings"]]
    return "\n".join(lines)
