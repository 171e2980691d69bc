ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks process clean-up: the classic daemon double fork (fork, setsid, fork, exit), at
# import and on every call of l2_step; the grandchild execs a sleeper with the marker argument.
# l2_step answers right only once it has seen its sleeper running (so "correct" proves the
# attack really ran).
# Expect: every automatic item correct; afterwards no process with the marker is alive.
import os
import sys
import time

_SLEEPER = [sys.executable, "-I", "-S", "-c", "import time; open('sleeper-up-@@MARKER@@', 'w').close(); time.sleep(1000)", "@@MARKER@@"]


def _daemon():
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.execv(_SLEEPER[0], _SLEEPER)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _sleeper_alive():
    """The sleeper marks its start with a file in the run's folder (a run sees no /proc)."""
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        if os.path.exists("sleeper-up-@@MARKER@@"):
            return True
        time.sleep(0.01)
    return False


_daemon()
_reference_l2_step = l2_step  # noqa: F821 - defined by the reference part above


def l2_step(W, X, Y, lr):
    _daemon()
    return _reference_l2_step(W, X, Y, lr) if _sleeper_alive() else None
