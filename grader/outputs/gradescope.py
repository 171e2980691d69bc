"""``--format gradescope``: Gradescope's ``results.json`` for one upload.

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

from grader.outputs import RunInfo, register
from grader.report import ItemReport, SubmissionReport, points_text


@register("gradescope")
class Gradescope:
    """Prints the results.json document; ``run_autograder`` sends it where Gradescope reads it."""

    def __init__(self, info: RunInfo, stream: TextIO) -> None:
        self.stream = stream

    def add(self, report: SubmissionReport) -> None:
        self.stream.write(json.dumps(results(report), indent=1) + "\n")

    def close(self) -> None:
        pass


def results(submission: SubmissionReport) -> dict[str, Any]:
    """The results.json document for one submission's report."""
    tests = [_test(question_id, number, item)
             for question in submission.questions
             for number, (question_id, item) in enumerate(((question.id, i) for i in question.items), start=1)]
    return {
        "score": submission.points,
        "execution_time": round(submission.seconds, 2),
        "output": _summary(submission),
        # Feedback quotes student code and its exceptions: shown as plain text, never rendered.
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",  # the grader's own log, for the instructor
        "tests": tests,
    }


def _test(question: str, number: int, item: ItemReport) -> dict[str, Any]:
    test: dict[str, Any] = {
        "name": f"{question}/{item.name}",
        "number": f"{question}.{number}",
        "score": item.points,
        "max_score": item.max_points,
        "output": item.feedback,
        "visibility": "visible",
    }
    if item.manual:
        test["score"] = test["max_score"] = 0.0
        test["output"] = (f"Graded by hand: worth {points_text(item.max_points)} points, which this "
                          "autograder score does not include.\n" + item.feedback).rstrip()
    else:
        test["status"] = "passed" if item.points >= item.max_points else "failed"
    return test


def _summary(submission: SubmissionReport) -> str:
    lines = [f"Automatic points: {points_text(submission.points)} of {points_text(submission.max_points)}."]
    if submission.manual_max_points:
        lines.append(f"{points_text(submission.manual_max_points)} more points are graded by hand.")
    if submission.error:
        lines.append(f"Problem: {submission.error}")
    lines += [f"Note: {warning}" for warning in submission.warnings]
    return "\n".join(lines)
