ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks every process it can reach: classification_grads sends SIGKILL to pid -1 (every
# process the user may signal). Inside bubblewrap that is the worker's own pid namespace:
# its warm worker dies, nothing outside does.
# SAFETY: without a pid namespace this would kill every process of the user (root here), so
# the kill only happens when the code can see it is inside the bubblewrap sandbox; otherwise
# it raises, which gives the same expected outcome.
# Expect: q2b/classification_grads "error"; everything else correct; the other submissions
# and the grader are unaffected.
import os
import signal
import time


def _inside_bwrap():
    try:
        with open("/proc/1/cmdline", "rb") as handle:
            init = handle.read()
    except OSError:
        return False
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    return os.environ.get("GRADER_SANDBOXED") == "1" and b"bwrap" in init and len(pids) < 50


def classification_grads(w1, w2, w3, x, y):
    if not _inside_bwrap():
        raise RuntimeError("refusing kill(-1) outside a pid namespace")
    os.kill(-1, signal.SIGKILL)
    time.sleep(30)  # wait for the end here, so that the death is this step's
