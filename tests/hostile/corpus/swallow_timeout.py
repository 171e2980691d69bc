ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the per-call limit from the other side: the first call of grad_W runs for 3.3 s
# (limit 3 s), catching the harness's timeout exception, then returns the right answer.
# Expect (HOMEWORK.md: every call has its own limit): q1a/grad_W "timeout", not "correct".
import time as _time

_calls = [0]
_reference_grad_W = grad_W  # noqa: F821 - defined by the reference part above


def grad_W(dL_dP, X):
    _calls[0] += 1
    if _calls[0] == 1:
        end = _time.monotonic() + 3.3
        while _time.monotonic() < end:
            try:
                _time.sleep(max(0.0, end - _time.monotonic()))
            except BaseException:  # noqa: BLE001 - swallows the harness's StepTimeout
                pass
    return _reference_grad_W(dL_dP, X)
