"""``feedback/<student>.md``: one Markdown file per student, that a student can be handed.

Everything that came from the submission (its file name, exception messages, the values it
reported) is shown as plain text: in fenced blocks, or escaped on a line of its own, so that
no text of a student's becomes a heading, a link, HTML or a forged score. A reference value
or a random probe's expected output never appears: feedback is built without them.
"""

from __future__ import annotations

from pathlib import Path

from grader import escape
from grader.outputs import RunInfo, register_file
from grader.report import ItemReport, SubmissionReport, points_text
from grader.store import FEEDBACK, atomic_write

OUTCOME_WORDS = {"manual": "graded by hand", "not-gradable": "not gradable here"}


def relative_path(file_name: str) -> str:
    return f"{FEEDBACK}/{file_name}.md"


def write(out: Path, report: SubmissionReport) -> None:
    """Write ``report``'s feedback file (its name is ``report.feedback_file``)."""
    atomic_write(out / report.feedback_file, markdown(report))


def markdown(report: SubmissionReport) -> str:
    lines = [f"# Feedback for {escape.code(report.student)}", ""]
    lines.append(f"Assignment: {escape.code(report.assignment or 'unknown')}. Source: {escape.code(report.source)}.")
    lines += ["", f"Automatic score: **{points_text(report.points)} / {points_text(report.max_points)}**."]
    if report.manual_max_points:
        lines.append(f"Graded by hand: {_by_hand(report)}.")
    if report.not_gradable_points:
        lines.append(f"Not gradable on this machine: {points_text(report.not_gradable_points)} points.")
    if report.status == "error" and report.error:
        lines += ["", "**Problem:**", "", escape.fenced(report.error)]
    if report.warnings:
        lines += ["", "**Notes:**", "", escape.fenced("\n".join(f"- {w}" for w in report.warnings))]
    for question in report.questions:
        head = f"{points_text(question.points)} / {points_text(question.max_points)}"
        if question.manual_max_points:
            head += f", and {points_text(question.manual_max_points)} graded by hand"
        lines += ["", f"## {escape.code(question.id)}: {head}", ""]
        for item in question.items:
            lines += _item(item)
    return "\n".join(lines) + "\n"


def _by_hand(report: SubmissionReport) -> str:
    entered = report.manual_max_points - report.pending_manual_points
    text = f"{points_text(report.manual_points)} of {points_text(entered)} entered" if entered else "none entered yet"
    if report.pending_manual_points:
        text += f"; {points_text(report.pending_manual_points)} points pending review"
    return f"{points_text(report.manual_max_points)} points ({text})"


def _item(item: ItemReport) -> list[str]:
    outcome = OUTCOME_WORDS.get(item.outcome.value, item.outcome.value)
    if item.manual and item.manual_points is not None:
        score = f"{points_text(item.manual_points)} / {points_text(item.max_points)}, entered by hand"
    elif item.manual and item.outcome == "manual":
        score = f"worth {points_text(item.max_points)}, pending review"
    else:
        score = f"{points_text(item.points)} / {points_text(item.max_points)}"
    lines = [f"- `{item.name}`: {outcome}, {score}", "", escape.fenced(item.feedback, "  ")]
    if item.manual_comment:
        lines += ["", "  Instructor's comment:", "", escape.fenced(item.manual_comment, "  ")]
    return [*lines, ""]


@register_file("feedback")
class FeedbackFiles:
    """At the end of a run: the feedback of students whose file is missing or who have manual
    scores (written again with them), and no stale file of a student no longer in the class.

    The other files were written as each submission was graded.
    """

    def __init__(self, info: RunInfo) -> None:
        self.out = info.out
        self.kept: set[str] = set()

    def add(self, report: SubmissionReport) -> None:
        if not report.feedback_file:
            return
        self.kept.add(report.feedback_file)
        entered = any(item.manual_points is not None for _, item in report.items())
        if entered or not (self.out / report.feedback_file).exists():
            write(self.out, report)

    def close(self) -> None:
        folder = self.out / FEEDBACK
        if folder.is_dir():
            for path in folder.glob("*.md"):
                if f"{FEEDBACK}/{path.name}" not in self.kept:
                    path.unlink(missing_ok=True)
