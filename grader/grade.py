"""From what a submission's child reported to scored, explained items.

Every observation is validated here, and every outcome and point is decided
here, in the parent. The child's words are claims about its own values only.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from grader.execute import SubmissionJob
from grader.kinds.base import Observed, Outcome
from grader.kinds.evidence import Evidence
from grader.kinds.function import FunctionItem
from grader.load import Submission
from grader.reference import Expected
from grader.report import ItemReport, QuestionReport, SubmissionReport
from grader.rubric import Rubric

AUTOGRAD_MARKERS = ("backward", "autograd", "requires_grad_", "requires_grad")
STATUSES = {"ok", "missing", "raised", "timeout", "skipped"}
# Together, these match every ASCII source in which the AST check could find a marker: an
# attribute is "." then its name, with only spaces, line continuations or (inside brackets)
# comments between. Non-ASCII code is NFKC-normalized first, as the parser reads identifiers.
# (No leading \b: it would cost a scan at every position, and a looser match only parses.)
DOT_MARKER = re.compile(r"\.(?:[\s\\]|#[^\n]*)*(?:backward|requires_grad_?)\b")
NAME_MARKER = re.compile(r"autograd\b")
# Only a top-level ``class MLP`` or ``def mse_loss``/``bce_loss`` is checked: the theory module
# may say "loss.backward()" in an answer, and needs no parse when it defines none of them.
_GAP = r"(?:[ \t\f]|\\(?:\r\n|\r|\n))+"  # spaces, or a backslash that continues the line
TARGETS = (re.compile(rf"class{_GAP}MLP\b"), re.compile(rf"def{_GAP}(?:mse|bce)_loss\b"))
# A line that starts with "#" holds no code, so the templates' "no autograd, no .backward()"
# comments need no parse. Unless it follows a line that ends in a backslash (a string may go
# on and close on it) or holds a triple quote (one may close there). \r ends lines too.
COMMENT_LINE = re.compile(r"^(?<!\\\n)(?<!\\\r\n)[ \t\f]*#(?:(?!'''|\"\"\")[^\r\n])*(?=[\r\n]|\Z)", re.MULTILINE)


@dataclass
class Context:
    """What grading one assignment needs, built once per run."""

    rubric: Rubric
    expected: dict[str, Expected]
    torch: bool


def grade(ctx: Context, sub: Submission, job: SubmissionJob | None) -> SubmissionReport:
    """Score every item of ``sub`` from its job's observations."""
    load_error = sub.error or (job and _module_error(sub, job)) or None
    steps = _index(job) if job else {}
    autograd = _static_autograd(sub) if ctx.rubric.solutions.implementation else ""
    questions = []
    for question in ctx.rubric.questions:
        items = [
            _item(ctx, sub, job, steps, f"{question.id}/{item.name}", item, points, autograd)
            for item, points in question.items()
        ]
        questions.append(_question(question.id, items))
    return _submission(ctx, sub, load_error, questions, job)


def _index(job: SubmissionJob) -> dict[str, list[int]]:
    steps: dict[str, list[int]] = defaultdict(list)
    for i, step in enumerate(job.steps):
        if step.item:
            steps[step.item].append(i)
    return steps


def _item(ctx: Context, sub: Submission, job: SubmissionJob | None, steps: dict[str, list[int]],
          key: str, item: Any, points: float, autograd: str) -> ItemReport:
    if item.needs_torch and not ctx.torch:
        return ItemReport(name=item.name, outcome=Outcome.NOT_GRADABLE, points=0.0, max_points=points,
                          feedback="Not gradable here: torch is not installed.")
    if job is None:
        return ItemReport(name=item.name, outcome=Outcome.ERROR, points=0.0, max_points=points,
                          feedback=f"Not checked: {sub.error}")
    verdict = item.check(_evidence(ctx.expected[key], sub, job, steps[key], item, autograd))
    earned = 0.0 if verdict.outcome is Outcome.MANUAL else round(verdict.fraction * points, 6)
    return ItemReport(name=item.name, outcome=verdict.outcome, points=earned, max_points=points,
                      feedback="\n".join(verdict.feedback))


def _evidence(expected: Expected, sub: Submission, job: SubmissionJob, indices: list[int],
              item: Any, autograd: str) -> Evidence:
    observed = [_observed(sub, job, i, item.name if not isinstance(item, FunctionItem) else item.lookup)
                for i in indices]
    evidence = Evidence(observed=observed[0], expected=expected.value, expected_raw=expected.value_raw,
                        alternates=expected.alternates, aux=expected.aux, probes=expected.probes,
                        expected_calls=expected.calls, expected_calls_raw=expected.calls_raw,
                        calls=observed[1:], alternate_calls=expected.alternate_calls)
    if isinstance(item, FunctionItem) and item.flag_autograd:
        used = any(call.autograd for call in evidence.calls)
        evidence.flag = autograd or ("torch autograd ran while it was called" if used else "")
    return evidence


def _observed(sub: Submission, job: SubmissionJob, index: int, name: str) -> Observed:
    if index in job.failures:
        failure = job.failures[index]
        if failure["status"] == "skipped":
            cause = job.failures.get(failure["cause"], {})
            status = "timeout" if cause.get("status") == "timeout" else "killed"
            return Observed(status, message=f"Not run: an earlier probe failed ({failure['message']}).")
        return Observed("timeout" if failure["status"] == "timeout" else "killed", message=failure["message"])
    raw = job.results.get(index)
    if raw is None:
        return Observed("killed", message="No result was reported for this step.")
    if not isinstance(raw.get("status"), str) or raw["status"] not in STATUSES:
        return Observed("killed", message="The step's report was malformed.")
    return _claim(sub, job, raw, name)


def _claim(sub: Submission, job: SubmissionJob, raw: dict[str, Any], name: str) -> Observed:
    status = raw["status"]
    if status == "skipped":
        return Observed("timeout", message="not run: an earlier probe of this function timed out")
    if status == "missing":
        return Observed("missing", message=_why_missing(sub, job, name))
    if status in ("raised", "timeout"):
        message = raw.get("message", "")
        text = message[:500] if isinstance(message, str) else ""
        return Observed(status, message=text or ("timed out" if status == "timeout" else "raised"))
    if "value" not in raw:
        return Observed("killed", message="The reported value was malformed.")
    mutated = raw.get("mutated", [])
    mutated = tuple(str(m)[:40] for m in mutated if isinstance(m, str))[:10] if isinstance(mutated, list) else ()
    return Observed("ok", raw=raw["value"], mutated=mutated, autograd=raw.get("autograd") is True)


def _why_missing(sub: Submission, job: SubmissionJob, name: str) -> str:
    """Which failing cell was meant to define ``name``, if any."""
    cells = set(sub.defines.get(name, []))
    for index, step in enumerate(job.steps):
        if not step.is_load or (cells and step.cell not in cells and sub.is_notebook):
            continue
        problem = _load_problem(job, index)
        if problem:
            return f"{problem}"
    return ""


def _load_problem(job: SubmissionJob, index: int) -> str:
    if index in job.failures:
        return str(job.failures[index]["message"])
    result = job.results.get(index, {})
    status = result.get("status")
    if isinstance(status, str) and status in ("raised", "timeout"):
        where = f"cell {job.steps[index].cell}" if job.sub.is_notebook else job.sub.entry
        message = result.get("message", "")
        what = (message if isinstance(message, str) else "") if status == "raised" else "it timed out"
        return f"{where} failed: {what[:400]}"
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


def _static_autograd(sub: Submission) -> str:
    """Names autograd calls found in the MLP methods or loss functions of the submission."""
    found = []
    for name, data in sub.files.items():
        if not name.endswith(".py") and name != sub.entry:
            continue
        sources = [c.source for c in sub.cells] if name == sub.entry else [data.decode("utf-8", "replace")]
        for source in sources:
            found += _autograd_in(source)
    return f"autograd used in {', '.join(sorted(set(found)))}" if found else ""


def _autograd_in(source: str) -> list[str]:
    """The MLP methods and loss functions in ``source`` that use autograd."""
    if not _may_use_autograd(source):
        return []  # parsing costs milliseconds; the text rules out what the parse would find
    return _autograd_in_tree(source)


def _may_use_autograd(source: str) -> bool:
    markers = ("backward", "requires_grad", "autograd")
    if source.isascii() and not any(marker in source for marker in markers):
        return False  # the common case, at the speed of a substring search
    code = source if source.isascii() else unicodedata.normalize("NFKC", source)
    # Dropping comment lines only ever removes matches, so the whole text is tried first.
    return _matches(code) and _matches(COMMENT_LINE.sub("", code))


def _matches(code: str) -> bool:
    return (any(target.search(code) for target in TARGETS)
            and (DOT_MARKER.search(code) is not None or NAME_MARKER.search(code) is not None))


def _autograd_in_tree(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    hits = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "MLP":
            hits += [f"MLP.{f.name}" for f in node.body if isinstance(f, ast.FunctionDef) and _uses_autograd(f)]
        elif isinstance(node, ast.FunctionDef) and node.name in ("mse_loss", "bce_loss") and _uses_autograd(node):
            hits.append(node.name)
    return hits


def _uses_autograd(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in AUTOGRAD_MARKERS:
            return True
        if isinstance(sub, ast.Name) and sub.id == "autograd":
            return True
    return False


def _question(qid: str, items: list[ItemReport]) -> QuestionReport:
    manual = sum(i.max_points for i in items if i.outcome is Outcome.MANUAL)
    return QuestionReport(id=qid, points=round(sum(i.points for i in items), 4),
                          max_points=round(sum(i.max_points for i in items), 6),
                          pending_manual_points=manual, items=items)


def _submission(ctx: Context, sub: Submission, load_error: str | None, questions: list[QuestionReport],
                job: SubmissionJob | None) -> SubmissionReport:
    items = [i for q in questions for i in q.items]
    return SubmissionReport(
        student=sub.student, assignment=ctx.rubric.assignment, source=sub.source,
        status="error" if load_error else "graded", error=load_error,
        points=round(sum(i.points for i in items), 4), max_points=ctx.rubric.max_points,
        pending_manual_points=sum(q.pending_manual_points for q in questions),
        not_gradable_points=sum(i.max_points for i in items if i.outcome is Outcome.NOT_GRADABLE),
        questions=questions, warnings=sub.warnings + (_cell_problems(job) if job else []),
        content_hash=sub.content_hash,
        seconds=round(job.seconds, 4) if job else 0.0,
    )


def unusable(ctx: Context | None, sub: Submission, assignment: str | None) -> SubmissionReport:
    """The report of a submission that could not be graded at all."""
    if ctx is not None:
        return grade(ctx, sub, None)
    return SubmissionReport(student=sub.student, assignment=assignment, source=sub.source, status="error",
                            error=sub.error, points=0.0, max_points=0.0, pending_manual_points=0.0,
                            questions=[], warnings=sub.warnings, content_hash=sub.content_hash, seconds=0.0)

