"""Running one submission to the end, across as many child runs as its failures need.

    ┌──────────────── next_run ◀────────────────┐
    ▼                                           │
  PLANNED ──START──▶ RUNNING ──exit──▶ (blame, or plan a careful run)
    │ nothing left, or the time limit is used up
    ▼
  FINISHED

A run is *batched* (a frame may carry several results, which keeps the parent's work small)
or *careful* (one result per frame). Nothing the child says decides which step is to blame
when a run dies: a batched run that dies blames nobody, and the next run is careful; in a
careful run the culprit is always the first planned step without a result. A hanging or
crashing step therefore costs that step only, and a submission cannot choose its culprit.

Every result is kept as an untrusted claim (``grader.protocol.StepResult``). The parent
times each frame itself: a result that arrives later than its step's limit allows is a
timeout, whatever it says (see ``grader.limits``).
"""

from __future__ import annotations

import enum
import signal
import time
from typing import Any

from grader.limits import BATCH_SECONDS, HARD_GRACE, OVERRUN_TOLERANCE, STARTUP_GRACE
from grader.load import Submission
from grader.plan import payload
from grader.protocol import (
    HARNESS_CRASHED,
    MAX_KEPT_BYTES,
    Frame,
    StepResult,
    StepStatus,
    clean_message,
    parse_result,
)
from grader.sandbox.pool import RunExit, RunRequest
from grader.steps import SharedSteps, Step

MAX_HARNESS_FAILURES = 2


class JobState(enum.Enum):
    PLANNED = "planned"
    RUNNING = "running"
    FINISHED = "finished"


class SubmissionJob:
    """The runs of one submission, driven by the sandbox pool."""

    def __init__(self, sub: Submission, load: list[Step], shared: SharedSteps, timeout: float,
                 limits: dict[str, int], key: str = "", context: Any = None) -> None:
        self.sub = sub
        self.load = load
        self.shared = shared
        self.steps = load + shared.steps
        self.key = key
        self.context = context
        self.timeout = timeout
        self.limits = limits
        self.results: dict[int, StepResult] = {}  # what the child claimed
        self.failures: dict[int, StepResult] = {}  # what the parent decided: timeouts, deaths
        self.state = JobState.PLANNED
        self.started = 0.0
        self.runs = 0
        self.seconds = 0.0
        self.harness_error = ""  # set when the harness, not the submission, kept failing
        self._harness_failures = 0
        self._kept = 0  # bytes of claimed values kept, all runs together
        self._careful = False
        self._run = _Attempt([], careful=False, longest=[])

    # -- planning -------------------------------------------------------------------------------

    def next_run(self) -> RunRequest | None:
        """The next child run, or None when every step has a result."""
        now = time.monotonic()
        if not self.started:
            self.started = now
        pending = [i for i, s in enumerate(self.steps) if not s.is_load and not self._settled(i)]
        if self.state is JobState.FINISHED or not pending or now >= self.started + self.timeout:
            self._finish(pending)
            return None
        load = [i for i, s in enumerate(self.steps) if s.is_load and i not in self.failures]
        planned = load + pending
        self._run = _Attempt(planned, self._careful, _longest_from(planned, self.steps, self._careful), now)
        self.runs += 1
        self.state = JobState.RUNNING
        batch = 0.0 if self._careful else BATCH_SECONDS
        return RunRequest(payload(self.sub, self.load, self.shared, planned, batch), self.limits,
                          (self.shared.id, self.shared.data))

    def on_unstarted(self) -> None:
        """The planned run never started (its worker died first): it will be planned again."""
        self.runs -= 1
        self.state = JobState.PLANNED

    def _settled(self, index: int) -> bool:
        return index in self.results or index in self.failures

    def _finish(self, pending: list[int]) -> None:
        for index in pending:
            self.failures.setdefault(index, StepResult(
                StepStatus.TIMEOUT, message=f"not reached: the submission used up its {self.timeout:g} s time limit"))
        self.state = JobState.FINISHED
        self.seconds = time.monotonic() - self.started if self.started else 0.0

    # -- while a run is on ------------------------------------------------------------------------

    def on_begin(self, now: float) -> None:
        """The worker starts the run now: a run queued behind another is not charged the wait."""
        if self.runs == 1:
            self.started = now
        self._run.last = now

    def on_frame(self, frame: dict[str, Any], now: float) -> None:
        run = self._run
        kind = frame.get("k")
        if kind == Frame.READY:
            run.ready = True
            run.last = now
        elif kind == Frame.DONE and isinstance(frame.get("results"), list):
            self._done(frame["results"], now)
            run.claim_next(frame.get("next"))
        elif kind == Frame.END:
            run.ended = True
        elif kind == Frame.CRASH:
            run.crash = clean_message(frame.get("error"))[:300]

    def _done(self, entries: list[Any], now: float) -> None:
        """Keep the frame's new results, and time the frame."""
        run = self._run
        seen, accepted = [], []
        for entry in entries:
            if not (type(entry) is list and len(entry) == 2 and type(entry[0]) is int
                    and entry[0] in run.positions and entry[0] not in run.seen):
                continue
            index = entry[0]
            run.seen.add(index)
            seen.append(index)
            if not self._settled(index):
                self.results[index] = self._keep(_claim(entry[1]))
                accepted.append(index)
            if run.careful:
                break  # one step per frame: anything more was not sent by the harness
        if not seen:
            return  # nothing new: every clock keeps running
        self._time(seen, accepted, now - run.last)
        run.last = now
        run.advance()

    def _keep(self, result: StepResult) -> StepResult:
        """The result, unless the submission's kept values would pass ``MAX_KEPT_BYTES``."""
        size = len(result.value or "") + len(result.message)
        if self._kept + size > MAX_KEPT_BYTES:
            return StepResult(StepStatus.RAISED, message=f"its results exceed {MAX_KEPT_BYTES >> 20} MiB in all")
        self._kept += size
        return result

    def _time(self, seen: list[int], accepted: list[int], took: float) -> None:
        """A frame later than its last step's limit allows means a step overran its limit.

        In a careful run that step is the frame's only one. In a batched run it may be any of
        them (the harness puts a slow step last, but a submission could forge the frame), so
        none of them is believed: they run again, carefully.
        """
        last = seen[-1]
        allowed = self.steps[last].limit + OVERRUN_TOLERANCE + (0.0 if self._run.careful else BATCH_SECONDS)
        if took <= allowed:
            return
        if self._run.careful:
            self.results.pop(last, None)
            self._fail(last, StepResult(StepStatus.TIMEOUT, message=f"{self._where(last)} did not finish "
                                                                     f"within {self.steps[last].limit:g} s"))
        else:
            for index in accepted:
                del self.results[index]
            self._careful = True

    def deadline(self) -> float:
        """When to kill the run: from the last frame, the limit of the step the child said comes
        next, else the longest limit still to come.

        Believing the child here costs it at most an early kill of a run that blames nobody:
        the careful run that follows gives every step its full limit.
        """
        run = self._run
        limit = self.started + self.timeout + HARD_GRACE
        startup = 0.0 if run.ready else STARTUP_GRACE
        step = self.steps[run.next].limit if run.next is not None else run.longest_left()
        return min(limit, run.last + startup + step + BATCH_SECONDS + HARD_GRACE)

    def on_deadline(self) -> None:
        self._run.expired = True
        self._run.out_of_time = time.monotonic() >= self.started + self.timeout

    def on_abort(self, reason: str) -> None:
        """The pool stops the run for ``reason`` (e.g. it reported too much)."""
        self._run.abort = reason

    # -- after a run ------------------------------------------------------------------------------

    def on_exit(self, ended: RunExit) -> None:
        run = self._run
        self.state = JobState.PLANNED
        left = run.unreported()
        if run.ended and not run.abort and not run.expired and not left:
            self._careful = False
            return
        if run.out_of_time:
            return  # no step is to blame: the next plan finds the time used up
        if not run.ready:  # no student code had run yet
            self._harness_failed(ended)
            return
        if not run.careful:
            self._careful = True  # blame nobody: the next run reports step by step
            return
        culprit = left[0] if left else None
        if culprit is not None:
            self._fail(culprit, self._failure(culprit, ended))
        self._careful = False

    def _harness_failed(self, ended: RunExit) -> None:
        """The run died before student code could start: the grader's problem, not the student's."""
        self._harness_failures += 1
        if self._harness_failures >= MAX_HARNESS_FAILURES:
            self.harness_error = f"the grading harness could not start ({_exit_text(ended)})"
            self.state = JobState.FINISHED
            for index, step in enumerate(self.steps):
                if not step.is_load and not self._settled(index):
                    self.failures[index] = StepResult(StepStatus.KILLED, message=self.harness_error)
            self.seconds = time.monotonic() - self.started

    def _failure(self, index: int, ended: RunExit) -> StepResult:
        step = self.steps[index]
        what = self._where(index)
        if self._run.expired:
            return StepResult(StepStatus.TIMEOUT, message=f"{what} did not finish within {step.limit:g} s")
        if self._run.abort:
            return StepResult(StepStatus.KILLED, message=f"the run was stopped: {self._run.abort}")
        cause = _exit_text(ended) + (f" ({self._run.crash})" if self._run.crash else "")
        return StepResult(StepStatus.KILLED, message=f"the process died while running {what}: {cause}")

    def _where(self, index: int) -> str:
        return self.steps[index].label or "this call"

    def _fail(self, index: int, failure: StepResult) -> None:
        """Record a step's failure; an item's other steps are not tried again (one failure costs it)."""
        self.failures[index] = failure
        item = self.steps[index].item
        if not item:
            return
        for other, step in enumerate(self.steps):
            if step.item == item and not self._settled(other):
                self.failures[other] = StepResult(failure.status, message=f"not run: an earlier call failed "
                                                                          f"({failure.message})")


class _Attempt:
    """The state of the current run: what was planned, seen and noticed."""

    def __init__(self, planned: list[int], careful: bool, longest: list[float], now: float = 0.0) -> None:
        self.planned = planned
        self.positions = set(planned)
        self.careful = careful
        self.longest = longest  # per position: the longest limit from there on (careful: its own)
        self.seen: set[int] = set()
        self.position = 0  # the first planned step not yet seen
        self.next: int | None = None  # the step the child said runs next (batched runs)
        self.last = now
        self.ready = self.ended = self.expired = self.out_of_time = False
        self.abort = self.crash = ""

    def claim_next(self, index: Any) -> None:
        """The step the child says it runs next, for a batched run's deadline only."""
        valid = type(index) is int and index in self.positions and index not in self.seen
        self.next = index if valid and not self.careful else None

    def advance(self) -> None:
        while self.position < len(self.planned) and self.planned[self.position] in self.seen:
            self.position += 1

    def longest_left(self) -> float:
        return self.longest[self.position] if self.position < len(self.longest) else 0.0

    def unreported(self) -> list[int]:
        return [i for i in self.planned[self.position:] if i not in self.seen]


def _claim(raw: Any) -> StepResult:
    try:
        return parse_result(raw)
    except ValueError:
        return StepResult(StepStatus.RAISED, message="the report of this step was malformed")


def _longest_from(planned: list[int], steps: list[Step], careful: bool) -> list[float]:
    """For each position of the plan: the step's own limit when careful, else the longest from there on."""
    if careful:
        return [steps[i].limit for i in planned]
    longest: list[float] = []
    running = 0.0
    for index in reversed(planned):
        running = max(running, steps[index].limit)
        longest.append(running)
    return longest[::-1]


def _exit_text(ended: RunExit) -> str:
    if ended.reason:
        return ended.reason
    if ended.code is None:
        return "it was killed"
    if ended.code < 0:
        try:
            name = signal.Signals(-ended.code).name
        except ValueError:
            name = f"signal {-ended.code}"
        hint = " (the memory limit, or os.kill)" if name == "SIGKILL" else ""
        return f"killed by {name}{hint}"
    if ended.code == HARNESS_CRASHED:
        return "the grading harness crashed (e.g. out of memory)"
    return f"it exited with code {ended.code} (sys.exit or os._exit)"
