ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the warm worker: the first call of classification_grads SIGSTOPs its parent (the
# worker), which then can neither reap the child nor report its exit; the child carries on
# and answers correctly.
# Expect: the parent notices the stuck worker, replaces it, and keeps the results: every
# automatic item correct.
import os
import signal

_stopped = [False]
_reference_classification_grads = classification_grads  # noqa: F821 - from the reference


def classification_grads(w1, w2, w3, x, y):
    if not _stopped[0]:
        _stopped[0] = True
        os.kill(os.getppid(), signal.SIGSTOP)
    return _reference_classification_grads(w1, w2, w3, x, y)
