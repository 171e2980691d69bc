"""From what a submission's child reported to scored, explained items.

Every observation is validated here, and every outcome and point is decided
here, in the parent. The child's words are claims about its own values only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from grader.autograd_scan import autograd_uses
from grader.errors import SandboxError
from grader.execute import SubmissionJob
from grader.kinds.base import ItemBase, Observed, Outcome, Reason, Verdict
from grader.kinds.evidence import Evidence, Expected
from grader.load import Submission
from grader.protocol import StepResult, StepStatus
from grader.report import ItemReport, Location, QuestionReport, SubmissionReport, round_points
from grader.rubric import Rubric
from grader.similarity import similarity_hash


@dataclass
class Context:
    """What grading one assignment needs, built once per run."""

    rubric: Rubric
    expected: dict[str, Expected]
    torch: bool


def grade(ctx: Context, sub: Submission, job: SubmissionJob | None) -> SubmissionReport:
    """Score every item of ``sub`` from its job's observations."""
    if job is not None and job.harness_error:
        raise SandboxError(job.harness_error)  # the grader's failure: never scored as the student's
    load_error = sub.error or (job and _module_error(sub, job)) or None
    steps = _index(job) if job else {}
    roots = {item.lookup for _, item, _ in ctx.rubric.items() if item.watches_autograd}
    autograd = _static_autograd(sub, roots) if roots else ""
    questions = []
    costs: dict[str, list[str]] = defaultdict(list)  # a failed cell -> the items it left undefined
    for question in ctx.rubric.questions:
        items, earned = [], 0.0
        for item, points in question.items():
            report, fraction = _item(ctx, sub, job, steps, f"{question.id}/{item.name}", item, points, autograd)
            earned += 0.0 if item.is_manual else fraction * points  # summed unrounded: 3 x 8/3 is 8
            if job is not None and report.outcome is Outcome.MISSING:
                cause = _missing_cause(sub, job, getattr(item, "lookup", item.name))
                if cause is not None:
                    costs[job.steps[cause].label].append(f"{question.id}/{item.name}")
                    report.location = report.location or (_located(sub, job, [cause]) if sub.is_notebook else None)
            items.append(report)
        questions.append(_question(question, items, earned))
    notes = [f"{where} did not run to the end, so {len(keys)} item(s) it defines are missing: {', '.join(keys)}"
             for where, keys in costs.items()]
    submission = _submission(ctx.rubric.assignment, sub, load_error, questions, job, notes)
    if job is not None and load_error and not sub.error:
        submission.error_location = _located(sub, job, [i for i, s in enumerate(job.steps) if s.is_load][:1])
    return submission


def _index(job: SubmissionJob) -> dict[str, list[int]]:
    steps: dict[str, list[int]] = defaultdict(list)
    for i, step in enumerate(job.steps):
        if step.item:
            steps[step.item].append(i)
    return steps


def _item(ctx: Context, sub: Submission, job: SubmissionJob | None, steps: dict[str, list[int]],
          key: str, item: Any, points: float, autograd: str) -> tuple[ItemReport, float]:
    """The item's report, and the fraction of its points it earned."""
    worth = round_points(points)
    if item.needs_torch and not ctx.torch:
        return _report(item, Outcome.NOT_GRADABLE, 0.0, worth, "Not gradable here: torch is not installed."), 0.0
    if job is None:
        return _report(item, Outcome.ERROR, 0.0, worth, "Not checked: the submission could not be run "
                       "(see the problem above).", reason=str(Reason.NOT_RUN)), 0.0
    verdict = item.check(_evidence(ctx.expected[key], sub, job, steps[key], item, autograd))
    fraction = 0.0 if item.is_manual else min(max(verdict.fraction, 0.0), 1.0)
    return _report(item, verdict.outcome, round_points(fraction * points), worth, "\n".join(verdict.feedback),
                   reason="" if fraction >= 1 or verdict.convention else _reason(verdict),
                   convention=verdict.convention,
                   location=None if verdict.outcome is Outcome.CORRECT else _located(sub, job, steps[key])), fraction


# The reason of a verdict that gave none, from its outcome.
_REASONS = {Outcome.WRONG: Reason.WRONG_VALUE, Outcome.MISSING: Reason.MISSING, Outcome.ERROR: Reason.RAISED,
            Outcome.TIMEOUT: Reason.TIMEOUT}


def _reason(verdict: Verdict) -> str:
    return str(verdict.reason or _REASONS.get(verdict.outcome, ""))


def _report(item: Any, outcome: Outcome, points: float, worth: float, feedback: str, reason: str = "",
            convention: str = "", location: Location | None = None) -> ItemReport:
    return ItemReport(name=item.name, kind=item.kind, outcome=outcome, points=points, max_points=worth,
                      manual=item.is_manual, feedback=feedback, reason=reason, convention=convention,
                      location=location)


def _evidence(expected: Expected, sub: Submission, job: SubmissionJob, indices: list[int],
              item: ItemBase, autograd: str) -> Evidence:
    observed = [_observed(sub, job, i, item.lookup) for i in indices]
    evidence = Evidence(expected=expected, observed=observed[0], calls=observed[1:])
    if item.watches_autograd:
        used = any(call.autograd for call in evidence.calls)
        evidence.flag = "; ".join(filter(None, [autograd, "torch autograd ran while it was called" if used else ""]))
    return evidence


def _observed(sub: Submission, job: SubmissionJob, index: int, name: str) -> Observed:
    failure = job.failures.get(index)
    if failure is not None:
        return Observed(failure.status, message=failure.message)
    result = job.results.get(index)
    if result is None:
        return Observed(StepStatus.KILLED, message="No result was reported for this step.")
    return _claim(sub, job, result, name)


def _claim(sub: Submission, job: SubmissionJob, result: StepResult, name: str) -> Observed:
    status = result.status
    if status is StepStatus.SKIPPED:
        return Observed(StepStatus.TIMEOUT, message="not run: an earlier call of this function timed out")
    if status is StepStatus.MISSING:
        return Observed(status, message=_why_missing(sub, job, name))
    if status in (StepStatus.RAISED, StepStatus.TIMEOUT):
        return Observed(status, message=result.message or ("timed out" if status is StepStatus.TIMEOUT else "raised"))
    if result.value is None:
        return Observed(StepStatus.KILLED, message="The reported value was malformed.")
    return Observed(status, raw=result.value, mutated=result.mutated, autograd=result.autograd)


def _why_missing(sub: Submission, job: SubmissionJob, name: str) -> str:
    """Which failing cell was meant to define ``name``, and why it failed. A module's failure is
    the submission's problem, said once at the top of the report rather than on every item."""
    index = _missing_cause(sub, job, name)
    if index is None:
        return ""
    if not sub.is_notebook:
        return f"{job.steps[index].label} did not run to the end (see the problem above)."
    return _load_problem(job, index)


def _located(sub: Submission, job: SubmissionJob, indices: list[int]) -> Location | None:
    """Where the first of these steps that raised did, when that is a line of the student's own
    files (the child's claim: it only says where to point)."""
    single = sub.source == sub.entry or sub.source.endswith("/" + sub.entry)
    folder = sub.source.rpartition("/")[0] if single else sub.source
    for index in indices:
        result = job.results.get(index)
        if result is None or result.status is not StepStatus.RAISED or not result.line:
            continue
        entry = sub.source if single else f"{folder}/{sub.entry}"
        if sub.is_notebook and result.place.startswith("cell ") and result.place[5:].isdigit():
            return Location(file=entry, cell=int(result.place[5:]), line=result.line)
        if result.place == sub.entry:
            return Location(file=entry, line=result.line)
        if result.place.endswith(".py") and result.place in sub.files:  # an implementation module
            return Location(file="/".join(filter(None, [folder, result.place])), line=result.line)
    return None


def _missing_cause(sub: Submission, job: SubmissionJob, name: str) -> int | None:
    """The failing cell (or module) that was meant to define ``name``."""
    cells = set(sub.defines.get(name, []))
    for index, step in enumerate(job.steps):
        if not step.is_load or (cells and step.cell not in cells and sub.is_notebook):
            continue
        if _load_problem(job, index):
            return index
    return None


def _load_problem(job: SubmissionJob, index: int) -> str:
    failure = job.failures.get(index)
    if failure is not None:
        return failure.message
    result = job.results.get(index)
    if result is not None and result.status in (StepStatus.RAISED, StepStatus.TIMEOUT):
        what = result.message if result.status is StepStatus.RAISED else "it timed out"
        return f"{job.steps[index].label} failed: {what}"
    return ""


def _cell_problems(job: SubmissionJob) -> list[str]:
    """Every notebook cell that failed, whether or not it was meant to define a graded item."""
    if not job.sub.is_notebook:
        return []
    return [problem for i, step in enumerate(job.steps) if step.is_load and (problem := _load_problem(job, i))]


def _module_error(sub: Submission, job: SubmissionJob) -> str:
    """For a .py module: why it did not finish loading, else empty."""
    if sub.is_notebook:
        return ""
    first = next((i for i, s in enumerate(job.steps) if s.is_load), None)
    return _load_problem(job, first) if first is not None else ""


def _static_autograd(sub: Submission, roots: set[str]) -> str:
    """Names the functions reachable from ``roots`` (the items that watch autograd) that use it."""
    sources = [cell.source for cell in sub.cells if cell.kind == "code"]
    sources += [data.decode("utf-8", "replace") for name, data in sub.files.items()
                if name.endswith(".py") and name != sub.entry]
    found = autograd_uses(sources, sorted(roots))
    return f"autograd used in {', '.join(found)}" if found else ""


def _question(question: Any, items: list[ItemReport], earned: float) -> QuestionReport:
    """Totals from the rubric's own points, not from rounded item points (3 x 8/3 is 8)."""
    automatic = sum(points for item, points in question.items() if not item.is_manual)
    manual = sum(points for item, points in question.items() if item.is_manual)
    return QuestionReport(id=question.id, points=round_points(earned), max_points=round_points(automatic),
                          manual_max_points=round_points(manual), pending_manual_points=pending(items),
                          items=items)


def pending(items: list[ItemReport]) -> float:
    """Points of text items that await an instructor: written, and not scored yet (an empty text
    scores 0 and awaits nothing)."""
    return round_points(sum(i.max_points for i in items
                            if i.manual and i.outcome is Outcome.MANUAL and i.manual_points is None))


def _submission(assignment: str, sub: Submission, load_error: str | None, questions: list[QuestionReport],
                job: SubmissionJob | None, notes: list[str] | None = None) -> SubmissionReport:
    items = [i for q in questions for i in q.items]
    warnings = sub.warnings + (_cell_problems(job) if job else [])
    return SubmissionReport(
        student=sub.student, assignment=assignment, source=sub.source,
        status="error" if load_error else "graded", error=load_error,
        points=round_points(sum(q.points for q in questions)),
        max_points=round_points(sum(q.max_points for q in questions)),
        manual_max_points=round_points(sum(q.manual_max_points for q in questions)),
        pending_manual_points=round_points(sum(q.pending_manual_points for q in questions)),
        not_gradable_points=round_points(sum(i.max_points for i in items if i.outcome is Outcome.NOT_GRADABLE)),
        questions=questions, warnings=warnings + (notes or []),
        content_hash=sub.content_hash, similarity_hash=similarity_hash(sub),
        seconds=round(job.seconds, 4) if job else 0.0,
    )


def unusable(ctx: Context | None, sub: Submission, assignment: str | None) -> SubmissionReport:
    """The report of a submission that could not be graded at all."""
    if ctx is not None:
        return grade(ctx, sub, None)
    return SubmissionReport(student=sub.student, assignment=assignment, source=sub.source, status="error",
                            error=sub.error, points=0.0, max_points=0.0, pending_manual_points=0.0,
                            questions=[], warnings=sub.warnings, content_hash=sub.content_hash,
                            similarity_hash=similarity_hash(sub), seconds=0.0)
