ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks process clean-up where it is weakest: starts a setsid sleeper with the marker, then
# regression_grads SIGKILLs its parent, the warm worker, which would have killed the sleeper
# after the run. Orphans now go to whoever adopts them.
# Expect: q2c/regression_grads "error"; everything else correct; afterwards no process with
# the marker is alive.
import os
import signal
import subprocess
import sys

subprocess.Popen([sys.executable, "-I", "-S", "-c", "import time; time.sleep(1000)", "@@MARKER@@"],
                 start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)


def regression_grads(w1, w2, w3, x, y):
    os.kill(os.getppid(), signal.SIGKILL)
