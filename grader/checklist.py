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
from grader.assignments import load_rubric
from grader.errors import UsageError
from grader.execute import SubmissionJob
from grader.exitcodes import ExitCode
from grader.kinds.function import FunctionItem, output_problem
from grader.limits import RunLimits
from grader.load import Submission
from grader.plan import SharedSteps, Step, item_steps, load_steps
from grader.probes import generate
from grader.protocol import StepResult, StepStatus
from grader.rubric import Rubric
from grader.sandbox.pool import Pool
from grader.selfchecks import checks_for

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


def plan(rubric: Rubric, question: str | None) -> list[Step]:
    """Read and call every item, then run the consistency checks; fresh random probes each time."""
    seed = secrets.randbits(31)
    probes = {}
    keys = set()
    for q, item, _ in rubric.items():
        key = f"{q.id}/{item.name}"
        if question and q.id != question:
            continue
        keys.add(key)
        if isinstance(item, FunctionItem):
            probes[key] = generate(key, item.args, item.probes, seed)[:4]
    steps = item_steps(rubric, probes, keys)
    tolerances = {item.name: [item.atol, item.rtol] for _, item, _ in rubric.items() if hasattr(item, "rtol")}
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
    job = SubmissionJob(sub, load_steps(sub, rubric), SharedSteps.of(plan(rubric, question)),
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


def _item_line(item: Any, results: list[StepResult], steps: list[Step]) -> Line:
    name = getattr(item, "lookup", item.name)
    head = results[0] if results else StepResult(StepStatus.MISSING)
    if head.status is StepStatus.MISSING:
        return Line("todo", f"{name} is not defined yet")
    if head.status is not StepStatus.OK or head.value is None:
        return Line("fix", f"reading {name} failed: {head.message or head.status}")
    value = _decode(head)
    if value.t == "none":
        return Line("todo", f"{name} is None: not answered yet")
    if isinstance(item, FunctionItem):
        return _function_line(item, value, results[1:], steps[1:])
    problem = item.form_problem(value)
    if problem:
        return Line("fix", f"{name} {problem}")
    if item.is_manual:
        return Line("ok" if value.v.strip() else "todo", f"{name} is {'written' if value.v.strip() else 'empty'} (graded by hand)")
    return Line("ok", f"{name} has the right form")


def _function_line(item: FunctionItem, found: Any, calls: list[StepResult], steps: list[Step]) -> Line:
    name = item.lookup
    if found.t != "callable":
        return Line("fix", f"{name} is {found.describe()}, expected a function")
    if calls and all("NotImplementedError" in c.message for c in calls):
        return Line("todo", f"{name} raises NotImplementedError: not written yet")
    for call, step in zip(calls, steps, strict=True):
        probe = step.body["probe"]
        if call.status is not StepStatus.OK or call.value is None:
            return Line("fix", f"{name} failed on a documented input ({_inputs(probe)}): "
                        f"{call.message or call.status}")
        if item.returns is not None:
            dims = dict(_dims(item, probe))
            problem = output_problem(item.returns, _decode(call), dims)
            if problem:
                return Line("fix", f"{name}({_inputs(probe)}): {problem}")
    return Line("ok", f"{name} accepts the documented inputs and returns the documented form ({len(calls)} calls)")


def _dims(item: FunctionItem, probe: dict[str, Any]) -> dict[str, int]:
    """Recover the probe's dims from its argument shapes."""
    dims: dict[str, int] = {}
    encoded = dict((n, e) for n, e in probe["kwargs"])
    for arg in item.args:
        _collect(arg, encoded.get(arg.name), dims)
    return dims


def _collect(arg: Any, enc: Any, dims: dict[str, int]) -> None:
    if enc is None:
        return
    if arg.type == "dim":
        dims[arg.dim] = enc["v"]
    elif arg.type in ("array", "tensor"):
        for size, name in zip(enc["shape"], arg.shape, strict=False):
            if isinstance(name, str):
                dims[name] = size
    elif arg.type == "dict":
        fields = dict((n, e) for n, e in enc["items"])
        for sub in arg.fields:
            _collect(sub, fields.get(sub.name), dims)


def _inputs(probe: dict[str, Any]) -> str:
    parts = []
    for name, enc in probe["kwargs"]:
        parts.append(f"{name}: shape {tuple(enc['shape'])}" if enc["t"] == "array" else name)
    return ", ".join(parts)


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
    from grader.localrun import run_steps

    ns = namespace if namespace is not None else vars(sys.modules["__main__"])
    name = ns.get("ASSIGNMENT")
    if not isinstance(name, str):
        print('Set ASSIGNMENT = "<id>" in your notebook first.', file=out)
        return False
    rubric = load_rubric(name)
    check_question(rubric, question)
    steps = plan(rubric, question)
    results = run_steps(ns, steps)
    return _print(rubric, question, steps, results, f"this notebook ({name})", out, []) == ExitCode.OK
