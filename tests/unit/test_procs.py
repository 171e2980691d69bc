"""Finding what a run left behind in the worker."""

from __future__ import annotations

import os
import signal
import time

from grader.sandbox.procs import has_children, reap


def test_has_children_sees_running_and_exited_children_and_nothing_else() -> None:
    reap()
    assert has_children() is False
    pid = os.fork()
    if pid == 0:
        signal.pause()
        os._exit(0)
    try:
        assert has_children() is True  # running
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)  # a zombie now, until reaped
        assert has_children() is True  # exited, and reaped on the way
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        reap()
    assert has_children() is False
