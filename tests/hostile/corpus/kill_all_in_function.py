ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks every process it can reach: classification_grads sends SIGKILL to pid -1 (every
# process the user may signal). Inside bubblewrap that is the run's own pid namespace, which
# holds only the run itself (spared by kill(-1)) and its init (which is spared too): there is
# nothing to kill, and kill(-1) raises ProcessLookupError.
# SAFETY: without a pid namespace this would kill every process of the user (root here), so
# the kill only happens when the code can see it is in such a namespace; otherwise it raises.
# Expect: q2b/classification_grads "error";
# everything else correct; the worker, the other submissions and the grader are unaffected.
import os
import signal
import time


def _inside_bwrap():
    """In a run's own pid namespace, the parent is outside it: getppid() is 0, and kill(-1)
    reaches only the namespace's own processes (never run this outside one)."""
    return os.environ.get("GRADER_SANDBOXED") == "1" and os.getppid() == 0


def classification_grads(w1, w2, w3, x, y):
    if not _inside_bwrap():
        raise RuntimeError("refusing kill(-1) outside a pid namespace")
    os.kill(-1, signal.SIGKILL)
    time.sleep(30)  # wait for the end here, so that the death is this step's
