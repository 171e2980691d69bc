"""Running steps against a live namespace (a notebook's) in forked children.

The fork isolates the notebook from what its functions do while checked, and
lets a hanging function be killed without killing the kernel.
"""

from __future__ import annotations

import json
import os
import select
import signal
import struct
import sys
import time
from typing import Any

from grader.plan import Step

FRAME = struct.Struct(">I")
GRACE = 1.0


def run_steps(namespace: dict[str, Any], steps: list[Step]) -> dict[int, dict[str, Any]]:
    """Each step's result; a step that hangs or kills its child is reported and skipped."""
    results: dict[int, dict[str, Any]] = {}
    todo = list(range(len(steps)))
    while todo:
        failed = _one_child(namespace, steps, todo, results)
        if failed is None:
            break
        results[failed] = {"status": "timeout", "message": f"did not finish within {steps[failed].limit:g} s"}
        todo = [i for i in todo if i not in results and steps[i].item != steps[failed].item]
    return results


def _one_child(namespace: dict[str, Any], steps: list[Step], todo: list[int],
               results: dict[int, dict[str, Any]]) -> int | None:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        _child(namespace, steps, todo, write_fd)
    os.close(write_fd)
    try:
        return _collect(read_fd, pid, steps, results)
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)


def _child(namespace: dict[str, Any], steps: list[Step], todo: list[int], fd: int) -> None:  # pragma: no cover
    try:
        from grader.harness.child import Discard, FrameWriter, Namespaces, run_steps

        sys.stdout = sys.stderr = Discard()
        signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(_timeout()))
        writer = FrameWriter(fd, "local")
        run_steps([s.wire() for s in steps], todo, Namespaces.live(namespace), writer)
    finally:
        os._exit(0)


def _timeout() -> BaseException:
    from grader.harness.calls import StepTimeout

    return StepTimeout()


def _collect(fd: int, pid: int, steps: list[Step], results: dict[int, dict[str, Any]]) -> int | None:
    buffer = b""
    current: int | None = None
    since = time.monotonic()
    while True:
        limit = steps[current].limit + GRACE if current is not None else 10.0
        ready, _, _ = select.select([fd], [], [], max(0.0, since + limit - time.monotonic()))
        if not ready:
            return current if current is not None else None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return current
        buffer += chunk
        while len(buffer) >= FRAME.size and len(buffer) >= FRAME.size + FRAME.unpack_from(buffer)[0]:
            size = FRAME.unpack_from(buffer)[0]
            frame = json.loads(buffer[FRAME.size:FRAME.size + size])
            buffer = buffer[FRAME.size + size:]
            if frame.get("k") == "begin":
                current, since = frame["step"], time.monotonic()
            elif frame.get("k") == "done":
                for index, result in frame["results"]:
                    results[index] = result
                current, since = frame.get("next"), time.monotonic()
