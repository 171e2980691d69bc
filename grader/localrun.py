"""Running steps against a live namespace (a notebook's) in forked children.

The fork isolates the notebook from what its functions do while checked, and lets a hanging
function be killed without killing the kernel. The child reports one step per frame, so the
step a child dies in is always the first without a result, as in a careful sandbox run
(``grader.execute``).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from typing import Any

from grader.limits import HARD_GRACE, STARTUP_GRACE
from grader.protocol import Frame, FrameReader, StepResult, StepStatus, parse_result
from grader.steps import Step

NONCE = "local"


def run_in_this_process(namespace: dict[str, Any], steps: list[Step],
              implementation: tuple[str, list[str]] | None = None) -> dict[int, StepResult]:
    """Each step's result; a step that hangs or kills its child is reported and skipped.

    ``implementation``: the rubric's implementation module and its names (see ``Namespaces.live``).
    """
    results: dict[int, StepResult] = {}
    todo = list(range(len(steps)))
    while todo:
        failed = _one_child(namespace, steps, todo, results, implementation)
        if failed is None:
            break
        results[failed] = StepResult(StepStatus.TIMEOUT, message=f"did not finish within {steps[failed].limit:g} s")
        todo = [i for i in todo if i not in results and steps[i].item != steps[failed].item]
    return results


def _one_child(namespace: dict[str, Any], steps: list[Step], todo: list[int],
               results: dict[int, StepResult], implementation: tuple[str, list[str]] | None) -> int | None:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        _child(namespace, steps, todo, write_fd, implementation)
    os.close(write_fd)
    try:
        return _collect(read_fd, steps, todo, results)
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)


def _child(namespace: dict[str, Any], steps: list[Step], todo: list[int], fd: int,
           implementation: tuple[str, list[str]] | None) -> None:  # pragma: no cover
    try:
        from grader.harness.child import Discard, FrameWriter, Namespaces, on_alarm, run_steps

        sys.stdout = sys.stderr = Discard()
        signal.signal(signal.SIGALRM, on_alarm)  # the grader's own: a swallowed timeout is one too
        run_steps([s.wire() for s in steps], todo, Namespaces.live(namespace, implementation), FrameWriter(fd, NONCE))
    finally:
        os._exit(0)


def _collect(fd: int, steps: list[Step], todo: list[int], results: dict[int, StepResult]) -> int | None:
    """Read the child's frames; the step it hung or died in, or None when it finished them all."""
    reader = FrameReader(NONCE)
    since = time.monotonic()
    startup = STARTUP_GRACE
    while True:
        current = next((i for i in todo if i not in results), None)
        if current is None:
            return None
        limit = steps[current].limit + HARD_GRACE + startup
        ready, _, _ = select.select([fd], [], [], max(0.0, since + limit - time.monotonic()))
        chunk = os.read(fd, 1 << 20) if ready else b""
        if not chunk:
            return current
        for frame in reader.feed(chunk):
            if frame.get("k") == Frame.DONE:
                for index, raw in frame.get("results", []):
                    results[index] = parse_result(raw)
                since, startup = time.monotonic(), 0.0
