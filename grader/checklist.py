"""What the student self-test checks and prints, from a run's reported results.

Does the submission load, is every name there in the right form, and do the gradients agree
with finite differences of the homework's own losses? Nothing here loads the reference solver,
so the checklist cannot print an answer it does not have.
"""

from __future__ import annotations

import json
import secrets
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from grader import values
from grader.assignments import install_profile, load_rubric
from grader.errors import UsageError
from grader.execute import SubmissionJob
from grader.exitcodes import ExitCode
from grader.kinds.base import ItemBase
from grader.limits import RunLimits
from grader.load import Submission
from grader.plan import item_steps, load_steps
from grader.profile import checks as checks_for
from grader.protocol import StepResult, StepStatus
from grader.rubric import Rubric
from grader.sandbox.pool import Pool
from grader.steps import SharedSteps, Step

DISCLAIMER = ("Passing the self-test is not a grade: it checks that your answers load, have the "
              "right form and are consistent with the homework's definitions, not that they are right.")
CHECK_LIMIT = 20.0
SELFTEST_LIMITS = RunLimits.of(2048, 120.0).wire()
NOT_RUN = StepResult(StepStatus.TIMEOUT, message="not run: the self-test's time ran out")


@dataclass
class Line:
    """One checklist line: ok, fix or todo."""

    mark: str
    text: str


def selftest_steps(rubric: Rubric, question: str | None) -> list[Step]:
    """Read and call every item, then run the consistency checks; fresh random probes each time."""
    seed = secrets.randbits(31)
    probes = {}
    keys = set()
    for q, item, _ in rubric.items():
        key = f"{q.id}/{item.name}"
        if question and q.id != question:
            continue
        keys.add(key)
        probes[key] = item.draw_probes(key, seed)[:4]
    steps = item_steps(rubric, probes, keys)
    tolerances = {item.name: item.tolerance for _, item, _ in rubric.items() if item.tolerance}
    for index, check in enumerate(checks_for(rubric.assignment)):
        if not question or check.question == question:
            body = {"op": "selfcheck", "assignment": rubric.assignment, "index": index,
                    "tolerance": tolerances.get(check.compares)}
            steps.append(Step(body, CHECK_LIMIT, item=f"check/{index}"))
    return steps


def run(sub: Submission, name: str, pool: Pool, question: str | None, out: TextIO) -> int:
    """Run ``sub`` on the started ``pool`` and print its checklist; the exit code."""
    rubric = load_rubric(name)
    check_question(rubric, question)
    profile = install_profile(name)
    job = SubmissionJob(sub, load_steps(sub, rubric), SharedSteps.of(selftest_steps(rubric, question), name, profile),
                        timeout=120.0, limits=SELFTEST_LIMITS)
    list(pool.process([job]))
    steps = job.steps
    results = {i: job.failures.get(i) or job.results.get(i) or NOT_RUN for i in range(len(steps))}
    notes = [Line("note", warning) for warning in sub.warnings] + _load_notes(job)
    return _print(rubric, question, steps, results, f"{sub.source} ({rubric.assignment})", out, notes)


def check_question(rubric: Rubric, question: str | None) -> None:
    if question and question not in {q.id for q in rubric.questions}:
        raise UsageError(f"no question {question!r} in {rubric.assignment}; "
                         f"questions: {', '.join(q.id for q in rubric.questions)}")


def _load_notes(job: SubmissionJob) -> list[Line]:
    lines = []
    for i, step in enumerate(job.steps):
        result = job.failures.get(i) or job.results.get(i)
        if step.is_load and result is not None and result.status is not StepStatus.OK:
            lines.append(Line("fix", f"{step.label} failed while loading: {result.message or result.status}"))
    return lines


def _print(rubric: Rubric, question: str | None, steps: list[Step], results: dict[int, StepResult],
           title: str, out: TextIO, notes: list[Line]) -> int:
    lines_by_question = checklist(rubric, question, steps, results)
    print(f"Self-test of {title}", file=out)
    for line in notes:
        print(f"  [{line.mark}] {line.text}", file=out)
    problems = sum(1 for line in notes if line.mark == "fix")
    todo = 0
    for qid, lines in lines_by_question.items():
        print(f"\n{qid}", file=out)
        for line in lines:
            print(f"  [{line.mark}] {line.text}", file=out)
        problems += sum(1 for line in lines if line.mark == "fix")
        todo += sum(1 for line in lines if line.mark == "todo")
    first = next((q for q, lines in lines_by_question.items() if any(x.mark == "fix" for x in lines)), None)
    summary = f"\n{problems} problem(s) to fix, {todo} item(s) still to do."
    if first:
        summary += f" Next: fix the [fix] lines of {first}."
    print(summary, file=out)
    print(DISCLAIMER, file=out)
    return ExitCode.PROBLEMS_FOUND if problems or todo else ExitCode.OK


def checklist(rubric: Rubric, question: str | None, steps: list[Step],
              results: dict[int, StepResult]) -> dict[str, list[Line]]:
    """The checklist lines of every question, from the child's reported results."""
    by_item: dict[str, list[int]] = {}
    for i, step in enumerate(steps):
        if step.item:
            by_item.setdefault(step.item, []).append(i)
    out: dict[str, list[Line]] = {}
    for q, item, points in rubric.items():
        if question and q.id != question:
            continue
        indices = by_item.get(f"{q.id}/{item.name}", [])
        line = _item_line(item, [results.get(i, NOT_RUN) for i in indices], [steps[i] for i in indices])
        if points == 0 and line.mark == "todo":  # optional: nothing is owed
            line = Line("ok", f"{getattr(item, 'lookup', item.name)} is optional (worth no points)")
        out.setdefault(q.id, []).append(line)
    checks = checks_for(rubric.assignment)
    for key, indices in by_item.items():
        if key.startswith("check/"):
            check = checks[int(key.split("/")[1])]
            shown = _check_line(results.get(indices[0], NOT_RUN))
            if shown is not None:
                out.setdefault(check.question, []).append(shown)
    return out


def _item_line(item: ItemBase, results: list[StepResult], steps: list[Step]) -> Line:
    name = item.lookup
    head = results[0] if results else StepResult(StepStatus.MISSING)
    if head.status is StepStatus.MISSING:
        return Line("todo", f"{name} is not defined yet")
    if head.status is not StepStatus.OK or head.value is None:
        return Line("fix", f"reading {name} failed: {head.message or head.status}")
    value = _decode(head)
    if value.t == "none":
        return Line("todo", f"{name} is None: not answered yet")
    mark, text = item.self_test(value, results[1:], steps[1:])
    return Line(mark, text)


def _check_line(result: StepResult) -> Line | None:
    """A consistency check's line; None for a check that waits for functions not written yet
    (their own lines already say so)."""
    if result.status is not StepStatus.OK:
        return Line("fix", f"a consistency check did not finish: {result.message or result.status}")
    passed = _decode(result).v if result.value is not None else None
    if passed is None:
        return None
    return Line("ok" if passed is True else "fix", result.message)


def _decode(result: StepResult) -> values.Value:
    """The reported value, validated like the parent validates any claim."""
    try:
        return values.decode(json.loads(result.value or "null"))
    except (ValueError, TypeError, RecursionError):
        return values.Value("error", v="a malformed report")


def check_namespace(question: str | None = None, namespace: dict[str, Any] | None = None,
                    out: TextIO | None = None) -> bool:
    """``grader.check()`` in a notebook: self-test the live namespace in a forked child."""
    out = out or sys.stdout  # looked up now: a notebook may have redirected it
    from grader.localrun import run_in_this_process

    ns = namespace if namespace is not None else vars(sys.modules["__main__"])
    name = ns.get("ASSIGNMENT")
    if not isinstance(name, str):
        print('Set ASSIGNMENT = "<id>" in your notebook first.', file=out)
        return False
    rubric = load_rubric(name)
    check_question(rubric, question)
    install_profile(name)
    steps = selftest_steps(rubric, question)
    implementation = (rubric.implementation.module, rubric.implementation.names) if rubric.implementation else None
    results = run_in_this_process(ns, steps, implementation)
    return _print(rubric, question, steps, results, f"this notebook ({name})", out, []) == ExitCode.OK
