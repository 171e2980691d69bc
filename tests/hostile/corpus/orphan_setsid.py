ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks process clean-up: starts long-lived processes in a new session (setsid), at import
# and on every call of grad_W. Each carries the marker argument so the test can look for it.
# Expect: every automatic item correct; afterwards no process with the marker is alive.
import subprocess
import sys

_SLEEPER = [sys.executable, "-I", "-S", "-c", "import time; time.sleep(1000)", "@@MARKER@@"]


def _spawn():
    subprocess.Popen(_SLEEPER, start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_spawn()
_reference_grad_W = grad_W  # noqa: F821 - defined by the reference part above


def grad_W(dL_dP, X):
    _spawn()
    return _reference_grad_W(dL_dP, X)
