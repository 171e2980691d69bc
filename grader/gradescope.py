"""Gradescope's ``results.json`` for one graded submission (``grader check --format gradescope``).

Gradescope runs an autograder once per student upload and shows the student what the
autograder writes to ``/autograder/results/results.json`` (its "Autograder Specifications").
Each rubric item becomes one test, worth the item's points, with the item's feedback as its
output. Feedback never holds a reference value, so every test is visible. A text item counts
0 of 0 here, whatever happened to it: Gradescope grades it by hand in its own outline, and the
autograder's total must be the same for every upload.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from grader.writers import fmt


def write(stdout: TextIO, submission: dict[str, Any], by_hand: set[str]) -> None:
    """Print the results.json document; ``run_autograder`` sends it where Gradescope reads it."""
    stdout.write(json.dumps(results(submission, by_hand), indent=1) + "\n")


def results(submission: dict[str, Any], by_hand: set[str]) -> dict[str, Any]:
    """The results.json document for one submission's report (a ``SubmissionReport`` as JSON).

    ``by_hand`` names the rubric's text items as ``question/name``.
    """
    tests = [_test(question["id"], number, item, f"{question['id']}/{item['name']}" in by_hand)
             for question in submission["questions"]
             for number, item in enumerate(question["items"], start=1)]
    return {
        "score": submission["points"],
        "execution_time": round(submission["seconds"], 2),
        "output": _summary(submission, tests),
        # Feedback quotes student code and its exceptions: shown as plain text, never rendered.
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",  # the grader's own log, for the instructor
        "tests": tests,
    }


def _test(question: str, number: int, item: dict[str, Any], by_hand: bool) -> dict[str, Any]:
    test: dict[str, Any] = {
        "name": f"{question}/{item['name']}",
        "number": f"{question}.{number}",
        "score": item["points"],
        "max_score": round(item["max_points"], 6),  # as points are, or 8/3 shows as not passed
        "output": item["feedback"],
        "visibility": "visible",
    }
    if by_hand:
        test["score"] = test["max_score"] = 0.0
        test["output"] = (f"Graded by hand: worth {fmt(item['max_points'])} points, which this "
                          "autograder score does not include.\n" + item["feedback"]).rstrip()
    else:
        test["status"] = "passed" if item["points"] >= test["max_score"] else "failed"
    return test


def _summary(submission: dict[str, Any], tests: list[dict[str, Any]]) -> str:
    automatic = sum(t["max_score"] for t in tests)
    lines = [f"Automatic points: {fmt(submission['points'])} of {fmt(round(automatic, 6))}."]
    by_hand = submission["max_points"] - automatic
    if by_hand > 1e-6:
        lines.append(f"{fmt(round(by_hand, 6))} more points are graded by hand.")
    if submission["error"]:
        lines.append(f"Problem: {submission['error']}")
    lines += [f"Note: {warning}" for warning in submission["warnings"]]
    return "\n".join(lines)
