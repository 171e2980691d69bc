ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks process clean-up: the classic daemon double fork (fork, setsid, fork, exit), at
# import and on every call of l2_step; the grandchild execs a sleeper with the marker argument.
# Expect: every automatic item correct; afterwards no process with the marker is alive.
import os
import sys

_SLEEPER = [sys.executable, "-I", "-S", "-c", "import time; time.sleep(1000)", "@@MARKER@@"]


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


_daemon()
_reference_l2_step = l2_step  # noqa: F821 - defined by the reference part above


def l2_step(W, X, Y, lr):
    _daemon()
    return _reference_l2_step(W, X, Y, lr)
