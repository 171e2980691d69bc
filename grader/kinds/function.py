"""A callable, checked by calling it on probes and comparing with the reference's outputs."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any, Literal

from pydantic import Field

from grader import values
from grader.errors import SolutionsError
from grader.harness import calls as harness
from grader.kinds import register
from grader.kinds.base import (
    Alternate,
    ItemBase,
    Observed,
    Outcome,
    Reason,
    Verdict,
    verdict_without_value,
)
from grader.kinds.compare import Rule, compare
from grader.kinds.evidence import Evidence, Expected, reference_attribute
from grader.model import Frozen
from grader.probes import ArgSpec, Probe, ProbeSettings, generate
from grader.protocol import StepResult, StepStatus, value_text
from grader.steps import Step, read_step
from grader.values import Value

MAX_DETAILS = 3


class OutputSpec(Frozen):
    """The documented form of a function's result, used by the self-test."""

    type: Literal["array", "number", "dict", "tuple"] = Field(description="The result's form.")
    shape: list[int | str] = Field(default=[], description="Array shape; strings name probe dims.")
    keys: dict[str, OutputSpec] = Field(default={}, description="For dicts: each key's form.")
    items: list[OutputSpec] = Field(default=[], description="For tuples: each element's form.")


@register
class FunctionItem(ItemBase):
    """A function the student writes."""

    kind: Literal["function"] = "function"
    target: str = Field(default="", description="Name looked up, when it differs from `name`.")
    harness: str = Field(
        default="call", description="How the target is exercised: `call` calls target(*args); any other "
        "name is a harness the assignment's profile registers (e.g. one that runs a scenario of a class)."
    )
    scenario: str | None = Field(
        default=None, description="For a profile's harness: which part of the target is exercised."
    )
    args: list[ArgSpec] = Field(description="The arguments, in call order.")
    probes: ProbeSettings = Field(default=ProbeSettings(), description="How probes are drawn.")
    returns: OutputSpec | None = Field(default=None, description="The documented result form.")
    atol: float = Field(default=1e-8, ge=0, description="Absolute tolerance per entry.")
    rtol: float = Field(default=1e-6, ge=0, description="Relative tolerance per entry.")
    norm_below: float | None = Field(
        default=None, description="If set, compare by the norm of the difference instead."
    )
    norm_dtype: Literal["float32", "float64"] = Field(
        default="float32", description="The dtype in which the norm criterion is computed."
    )
    call_timeout: float = Field(default=3.0, gt=0, le=60, description="Seconds allowed per call.")
    partial_credit: bool = Field(
        default=False, description="Credit the fraction of probes passed instead of all or nothing."
    )
    pure: bool = Field(default=False, description="The function must not change its inputs.")
    flag_autograd: bool = Field(
        default=False, description="Flag the item for review when torch autograd is used."
    )

    @property
    def lookup(self) -> str:
        return self.target or self.name

    @property
    def needs_torch(self) -> bool:
        return any(a.type == "tensor" for a in self.args)

    @property
    def watches_autograd(self) -> bool:
        return self.flag_autograd

    def verify(self, question: str) -> None:
        names = {a.name for a in self.args} | set(self.probes.dims) | {"label"}
        for fixed in [*self.probes.fixed, self.probes.const, *self.probes.grids]:
            unknown = set(fixed) - names
            if unknown:
                raise ValueError(f"{question}/{self.name}: probes name unknown arguments {sorted(unknown)}")
        for arg in self.args:
            for dim in [*arg.shape, *(f for f in [arg.dim] if f)]:
                if isinstance(dim, str) and dim not in self.probes.dims:
                    raise ValueError(f"{question}/{self.name}: argument {arg.name!r} uses undefined dim {dim!r}")

    def draw_probes(self, key: str, seed: int) -> list[Probe]:
        return generate(key, self.args, self.probes, seed)

    def child_steps(self, key: str, probes: list[Probe]) -> list[Step]:
        """Read the function, then call it on each probe."""
        body = {"op": "call", "item": key, "name": self.lookup, "source": self.source, "harness": self.harness,
                "scenario": self.scenario, "pure": self.pure}
        return [read_step(key, self.lookup, self.source),
                *(Step({**body, "probe": p.to_json()}, self.call_timeout, item=key, probe=i) for i, p in enumerate(probes))]

    def expected(self, key: str, module: ModuleType, seed: int) -> Expected:
        """The reference's output on every probe, and each alternate's."""
        probes = self.draw_probes(key, seed)
        found = Expected(probes=probes)
        target = reference_attribute(module, self.lookup)
        for i, probe in enumerate(probes):
            result = harness.call(target, probe.to_json(), self.harness, self.scenario, pure=self.pure)
            if result["status"] != "ok":
                raise SolutionsError(f"the reference {self.lookup} failed on probe {i + 1} of {key}: "
                                     f"{result['message']}")
            found.calls.append(values.decode(result["value"]))
            found.calls_raw.append(value_text(result["value"]))
        for alt in self.alternates:
            other = reference_attribute(module, alt.reference)
            outputs = [harness.call(other, p.to_json(), self.harness, self.scenario) for p in probes]
            found.alternate_calls.append((alt, [values.decode(r["value"]) if r["status"] == "ok" else None
                                                for r in outputs]))
        return found

    def answer(self, module: ModuleType) -> Any:
        return None  # a function has no one answer to print

    def rule(self) -> Rule:
        return Rule(self.atol, self.rtol, self.norm_below, self.norm_dtype)

    def check(self, evidence: Evidence) -> Verdict:
        verdict = self._check(evidence)
        if evidence.flag and verdict.outcome in (Outcome.CORRECT, Outcome.PARTIAL, Outcome.WRONG):
            verdict.outcome = Outcome.FLAGGED
            verdict.feedback.append(f"Flagged for review: {evidence.flag}. Points kept pending review.")
        return verdict

    def _check(self, evidence: Evidence) -> Verdict:
        early = verdict_without_value(self.lookup, evidence.observed)
        if early:
            return early
        found = evidence.observed.value
        assert found is not None
        if found.t == "none":
            return Verdict(Outcome.MISSING, 0.0, [f"`{self.lookup}` is None: not written yet."])
        if found.t != "callable":
            return Verdict(Outcome.WRONG, 0.0, [f"`{self.lookup}` is {found.describe()}, expected a function."],
                           reason=Reason.WRONG_TYPE)
        if all("NotImplementedError" in c.message for c in evidence.calls) and evidence.calls:
            return Verdict(Outcome.MISSING, 0.0, [f"`{self.lookup}` raises NotImplementedError: not written yet."],
                           reason=Reason.NOT_WRITTEN)
        failures = self._failures(evidence)
        total = len(evidence.expected.probes)
        if not failures:
            return Verdict.correct(f"All {total} probes pass ({self.rule().text()}).")
        return self._partial(evidence, failures, total)

    def _failures(self, evidence: Evidence) -> list[tuple[int, Observed, list[str]]]:
        failures = []
        raws: list[str | None] = [*evidence.expected.calls_raw] or [None] * len(evidence.calls)
        for i, (want, call, raw) in enumerate(zip(evidence.expected.calls, evidence.calls, raws, strict=True)):
            if call.same_as(raw) and not (self.pure and call.mutated):
                continue
            problems = self._problems(want, call)
            if problems:
                failures.append((i, call, problems))
        return failures

    def _problems(self, want: Value, call: Observed) -> list[str]:
        if call.status != "ok" or call.value is None:
            if self.pure and "read-only" in call.message:
                return [f"it tried to change an input in place ({call.message}); "
                        f"{self.lookup} must return a new array and leave its inputs unchanged"]
            return [call.message or f"the call ended with status {call.status}"]
        problems = compare(want, call.value, self.rule(), "the result", reveal=self.visible)
        if self.pure and call.mutated:
            problems.append(f"it changed its input(s) {', '.join(call.mutated)}")
        return problems

    def _partial(self, evidence: Evidence, failures: list[tuple[int, Observed, list[str]]], total: int) -> Verdict:
        for alternate, outputs in evidence.expected.alternate_calls:
            if self._matches(alternate, evidence, outputs):
                return alternate.verdict()
        lines = [self._headline(failures, total)]
        for i, _, problems in failures[:MAX_DETAILS]:
            probe = evidence.expected.probes[i]
            lines.append(f"Probe {i + 1} ({probe.label}; {probe.summary()}): {'; '.join(problems)}.")
        passed = total - len(failures)
        fraction = passed / total if self.partial_credit and total else 0.0
        statuses = {call.status for _, call, _ in failures}
        outcome = Outcome.TIMEOUT if statuses == {"timeout"} else (
            Outcome.ERROR if statuses <= {"raised", "killed"} else Outcome.WRONG)
        if fraction > 0:
            outcome = Outcome.PARTIAL
        return Verdict(outcome, fraction, lines, reason=_reason(failures))

    def _headline(self, failures: list[tuple[int, Observed, list[str]]], total: int) -> str:
        """What went wrong, first: a call that never finished is not a value out of tolerance."""
        statuses = [str(call.status) for _, call, _ in failures]
        timeouts = statuses.count("timeout")
        if timeouts == len(failures):
            return f"{timeouts} of {total} calls timed out: each may take at most {self.call_timeout:g} s."
        if all(s in ("raised", "killed") for s in statuses):
            return f"{len(failures)} of {total} calls failed with an error."
        head = f"{len(failures)} of {total} probes failed ({self.rule().text()})"
        return head + (f"; {timeouts} of them timed out." if timeouts else ".")

    def _matches(self, alternate: Alternate, evidence: Evidence, outputs: list[Value | None]) -> bool:
        for want, call in zip(outputs, evidence.calls, strict=True):
            if want is None or call.status != "ok" or call.value is None:
                return False
            if compare(want, call.value, self.rule(), "the result"):
                return False
        return True


    def self_test(self, value: Value, calls: list[StepResult], steps: list[Step]) -> tuple[str, str]:
        """Is it a function, is it written, does it take the documented inputs and return the
        documented form? (Never whether it is right.)"""
        name = self.lookup
        if value.t != "callable":
            return "fix", f"{name} is {value.describe()}, expected a function"
        if calls and all("NotImplementedError" in c.message for c in calls):
            return "todo", f"{name} raises NotImplementedError: not written yet"
        for result, step in zip(calls, steps, strict=True):
            probe = step.body["probe"]
            if result.status is not StepStatus.OK or result.value is None:
                return "fix", f"{name} failed on a documented input ({_inputs(probe)}): {result.message or result.status}"
            if self.returns is not None:
                problem = output_problem(self.returns, _decoded(result), _dims(self, probe))
                if problem:
                    return "fix", f"{name}({_inputs(probe)}): {problem}"
        return "ok", f"{name} accepts the documented inputs and returns the documented form ({len(calls)} calls)"


def _reason(failures: list[tuple[int, Observed, list[str]]]) -> str:
    """Why the first failing probe failed: a call that never finished, or its first problem."""
    _, call, problems = failures[0]
    if call.status == "timeout":
        return Reason.TIMEOUT
    if call.status != "ok" or call.value is None:
        return Reason.CHANGED_INPUT if "read-only" in call.message else Reason.RAISED
    return getattr(problems[0], "reason", Reason.CHANGED_INPUT) if problems else Reason.WRONG_VALUE


def _decoded(result: StepResult) -> Value:
    try:
        return values.decode(json.loads(result.value or "null"))
    except (ValueError, TypeError, RecursionError):
        return Value("error", v="a malformed report")


def _dims(item: FunctionItem, probe: dict[str, Any]) -> dict[str, int]:
    """The probe's dims, recovered from its argument shapes."""
    dims: dict[str, int] = {}
    encoded = dict((n, e) for n, e in probe["kwargs"])
    for arg in item.args:
        _collect(arg, encoded.get(arg.name), dims)
    return dims


def _collect(arg: ArgSpec, enc: Any, dims: dict[str, int]) -> None:
    if enc is None:
        return
    if arg.type == "dim":
        dims[arg.dim] = enc["v"]
    elif arg.type in ("array", "tensor"):
        for size, name in zip(enc["shape"], arg.shape, strict=False):
            if isinstance(name, str):
                dims[name] = size
    elif arg.type == "sequence" and arg.shape and isinstance(arg.shape[0], str) and enc.get("t") == "seq":
        dims[arg.shape[0]] = len(enc["items"])
    elif arg.type == "dict":
        fields = dict((n, e) for n, e in enc["items"])
        for sub in arg.fields:
            _collect(sub, fields.get(sub.name), dims)


def _inputs(probe: dict[str, Any]) -> str:
    return ", ".join(f"{name}: shape {tuple(enc['shape'])}" if enc["t"] == "array" else name
                     for name, enc in probe["kwargs"])


def output_problem(spec: OutputSpec, value: Value, dims: dict[str, int], where: str = "the result") -> str:
    """How a result departs from its documented form; empty when it matches."""
    from grader.kinds.compare import as_array, as_number

    if spec.type == "number":
        number = as_number(value)
        if number is None or value.t == "bool":
            return f"{where} is {value.describe()}, expected a number"
        return "" if number == number and abs(number) != float("inf") else f"{where} is not finite"
    if spec.type == "array":
        array, problem = as_array(value)
        shape = tuple(dims.get(s, -1) if isinstance(s, str) else s for s in spec.shape)
        if array is None:
            return f"{where} is {problem}, expected an array of shape {shape}"
        if array.shape != shape:
            return f"{where} has shape {array.shape}, expected {shape}"
        return "" if bool((abs(array) < float("inf")).all()) else f"{where} has nan or inf entries"
    if spec.type == "dict":
        if value.t != "map":
            return f"{where} is {value.describe()}, expected a dict with keys {sorted(spec.keys)}"
        for key, sub in spec.keys.items():
            got = value.get(key)
            problem = f"{where} has no key {key!r}" if got is None else output_problem(sub, got, dims, f"{where}[{key!r}]")
            if problem:
                return problem
        return ""
    if value.t != "seq" or len(value.items) != len(spec.items):
        return f"{where} is {value.describe()}, expected a tuple of {len(spec.items)}"
    for i, (sub, got) in enumerate(zip(spec.items, value.items, strict=True)):
        problem = output_problem(sub, got, dims, f"{where}[{i}]")
        if problem:
            return problem
    return ""
