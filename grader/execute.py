"""Running one submission to the end, across as many child runs as its failures need.

A step that hangs or kills its child costs that step only: the next run
starts a fresh child that skips the failed cell, or the rest of the failed
function's probes, and goes on. Every result is kept as an untrusted claim.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from grader.load import Submission
from grader.plan import SharedSteps, Step, payload
from grader.sandbox.pool import RunExit, RunRequest

STARTUP_GRACE = 10.0
HARD_GRACE = 1.0
OVERRUN_TOLERANCE = 0.25  # a step reported later than its limit is a timeout, whatever it claims


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
        self.results: dict[int, dict[str, Any]] = {}
        self.failures: dict[int, dict[str, Any]] = {}
        self.started = 0.0
        self.finished = False
        self.runs = 0
        self.seconds = 0.0
        self._current: int | None = None
        self._since = 0.0
        self._ended = False
        self._expired = False
        self._abort = ""
        self._planned: list[int] = []
        self._longest: dict[int, float] = {}
        self._batch_start = 0.0
        self._begun = False
        self._crash = ""

    def next_run(self) -> RunRequest | None:
        """The next child run, or None when every step has a result."""
        now = time.monotonic()
        if not self.started:
            self.started = now
        pending = [i for i, s in enumerate(self.steps) if not s.is_load and not self._settled(i)]
        if self.finished or not pending or now >= self.started + self.timeout:
            self._finish(pending)
            return None
        load = [i for i, s in enumerate(self.steps) if s.is_load and i not in self.failures]
        self._planned = load + pending
        self._longest = _longest_from(self._planned, self.steps)
        self.runs += 1
        self._current, self._since, self._batch_start, self._ended, self._abort = None, now, now, False, ""
        self._crash = ""
        return RunRequest(payload(self.sub, self.load, self.shared, self._planned), self.limits,
                          (self.shared.id, self.shared.data))

    def _settled(self, index: int) -> bool:
        return index in self.results or index in self.failures

    def _finish(self, pending: list[int]) -> None:
        for index in pending:
            self.failures.setdefault(index, {
                "status": "timeout",
                "message": f"not reached: the submission used up its {self.timeout:g} s time limit",
            })
        self.finished = True
        self.seconds = time.monotonic() - self.started if self.started else 0.0

    def on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("k")
        if kind == "abort":
            self._abort = str(frame.get("reason", ""))
        elif kind == "crash":
            self._crash = str(frame.get("error", ""))[:300]
        elif kind == "end":
            self._ended = True
        elif kind == "begin" and self._valid(frame.get("step")):
            self._begin(frame["step"], time.monotonic())
        elif kind == "done" and isinstance(frame.get("results"), list):
            self._done(frame["results"], frame.get("next"), time.monotonic())

    def _valid(self, step: Any) -> bool:
        return type(step) is int and 0 <= step < len(self.steps)

    def _done(self, results: list[Any], following: Any, now: float) -> None:
        """Keep the frame's new results; the last of them is timed from the previous frame."""
        last = None
        for entry in results:
            if (type(entry) is list and len(entry) == 2 and self._valid(entry[0])
                    and entry[0] not in self.results and isinstance(entry[1], dict)):
                self.results[entry[0]] = entry[1]
                last = entry[0]
        if last is None:
            return  # nothing new: every clock keeps running
        self._check_duration(last, now - self._batch_start)
        self._batch_start = now
        self._current, self._since = None, now
        if self._valid(following):
            self._begin(following, now)

    def _begin(self, step: int, now: float) -> None:
        self._current, self._since = step, now

    def _check_duration(self, step: int, took: float) -> None:
        """A result that came back after the step's limit is a timeout (the child may have hidden it).

        The child sends its results at most ``child.BATCH_SECONDS`` after its previous frame, unless
        a step ran long: that step is then the last of its frame, and ``took`` is its time.
        """
        limit = self.steps[step].limit
        if took > limit + OVERRUN_TOLERANCE and step not in self.failures:
            what = f"cell {self.steps[step].cell}" if self.steps[step].is_load else "this step"
            self.failures[step] = {"status": "timeout", "message": f"{what} did not finish within {limit:g} s"}
            if not self.steps[step].is_load:
                self._skip_rest_of_item(step)

    def deadline(self) -> float:
        """When to kill the run: the child may be a few quick steps past the one it announced."""
        limit = self.started + self.timeout + HARD_GRACE
        if self._current is None:
            return min(limit, self._since + STARTUP_GRACE)
        return min(limit, self._since + self._longest.get(self._current, STARTUP_GRACE) + HARD_GRACE)

    def on_deadline(self) -> None:
        self._expired = True

    def on_begin(self, now: float) -> None:
        """The worker starts the run now: a run queued behind another is not charged the wait."""
        if self.runs == 1 and not self._begun:
            self.started = now
        self._begun = True
        self._since = self._batch_start = now

    def on_exit(self, ended: RunExit) -> None:
        if self._ended and not self._abort:
            return
        failed = self._culprit(ended.progress)
        if failed is None:
            return
        self.failures[failed] = self._failure(failed, ended)
        if not self.steps[failed].is_load:
            self._skip_rest_of_item(failed)

    def _culprit(self, progress: int | None) -> int | None:
        """The step a run died in: the one the child last said it started, if that is plausible."""
        if progress in self._planned and progress not in self.results:
            return progress
        if self._current is not None and self._current not in self.results:
            return self._current
        return self._next_unreported()

    def _next_unreported(self) -> int | None:
        return next((i for i in self._planned if i not in self.results), None)

    def _failure(self, index: int, ended: RunExit) -> dict[str, Any]:
        step = self.steps[index]
        what = f"cell {step.cell}" if step.is_load and step.cell > 0 else "this step"
        if self._expired:
            return {"status": "timeout", "message": f"{what} did not finish within {step.limit:g} s"}
        if self._abort:
            return {"status": "raised", "message": f"the run was stopped: {self._abort}"}
        cause = _exit_text(ended) + (f" ({self._crash})" if self._crash else "")
        return {"status": "killed", "message": f"the process died during {what}: {cause}"}

    def _skip_rest_of_item(self, failed: int) -> None:
        item = self.steps[failed].item
        reason = self.failures[failed]
        for index, step in enumerate(self.steps):
            if step.item == item and not self._settled(index):
                self.failures[index] = {"status": "skipped", "message": reason["message"], "cause": failed}


def _longest_from(planned: list[int], steps: list[Step]) -> dict[int, float]:
    """For each planned step, the longest limit of it and of every step planned after it."""
    longest: dict[int, float] = {}
    running = 0.0
    for index in reversed(planned):
        running = max(running, steps[index].limit)
        longest[index] = running
    return longest


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
    if ended.code == 70:
        return "the grading harness crashed (e.g. out of memory while starting)"
    return f"it exited with code {ended.code} (sys.exit or os._exit)"
