ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks process clean-up: starts long-lived processes in a new session (setsid), at import
# and on every call of grad_W. Each carries the marker argument so the test can look for it;
# grad_W answers right only once it has seen its sleeper running (so "correct" proves the
# attack really ran).
# Expect: every automatic item correct; afterwards no process with the marker is alive.
import os
import subprocess
import sys
import time

_SLEEPER = [sys.executable, "-I", "-S", "-c", "import time; open('sleeper-up-@@MARKER@@', 'w').close(); time.sleep(1000)", "@@MARKER@@"]


def _spawn():
    subprocess.Popen(_SLEEPER, start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _sleeper_alive():
    """The sleeper marks its start with a file in the run's folder (a run sees no /proc)."""
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        if os.path.exists("sleeper-up-@@MARKER@@"):
            return True
        time.sleep(0.01)
    return False


_spawn()
_reference_grad_W = grad_W  # noqa: F821 - defined by the reference part above


def grad_W(dL_dP, X):
    _spawn()
    return _reference_grad_W(dL_dP, X) if _sleeper_alive() else None
