ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks process clean-up where it is weakest: starts a setsid sleeper with the marker (and
# fails the import unless it sees it running), then regression_grads SIGKILLs its parent, the
# warm worker, which would have killed the sleeper after the run. Orphans now go to whoever
# adopts them. In the sandbox getppid() is 0, and kill(0) reaches the run's own process group,
# whose leader (pid 1 of its namespace) ignores it: the call then waits out its time limit.
# Expect: q2c/regression_grads "error" ("timeout" in the sandbox); everything else correct;
# afterwards no process with the marker is alive.
import os
import signal
import subprocess
import sys
import time

subprocess.Popen([sys.executable, "-I", "-S", "-c", "import time; open('sleeper-up-@@MARKER@@', 'w').close(); time.sleep(1000)", "@@MARKER@@"],
                 start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)


def _sleeper_alive():
    """The sleeper marks its start with a file in the run's folder (a run sees no /proc)."""
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        if os.path.exists("sleeper-up-@@MARKER@@"):
            return True
        time.sleep(0.01)
    return False


if not _sleeper_alive():
    raise RuntimeError("the sleeper did not start")


def regression_grads(w1, w2, w3, x, y):
    os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(30)  # wait for the end here, so that the death is this step's
