ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the warm worker: the first call of classification_grads SIGSTOPs its parent (the
# worker), which then can neither reap the child nor report its exit; the child carries on
# and answers correctly. In the sandbox the worker is outside the run's pid namespace:
# getppid() is 0, and kill(0) sends the stop to the run's own process group, whose leader is
# pid 1 of its namespace and ignores it.
# Expect: without namespaces, the parent notices the stuck worker, replaces it, and keeps the
# results. Either way every automatic item is correct.
import os
import signal

_stopped = [False]
_reference_classification_grads = classification_grads  # noqa: F821 - from the reference


def classification_grads(w1, w2, w3, x, y):
    if not _stopped[0]:
        _stopped[0] = True
        os.kill(os.getppid(), signal.SIGSTOP)
    return _reference_classification_grads(w1, w2, w3, x, y)
