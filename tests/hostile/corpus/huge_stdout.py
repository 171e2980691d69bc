ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the output caps: 200 MB on stdout and stderr at import, through print and through
# the raw file descriptors, and 200 MB more on every call of grad_W, which still answers right.
# Expect: nothing is lost: every automatic item correct.
import os
import sys

_BLOB = "x" * (200 << 20)
print(_BLOB)
print(_BLOB, file=sys.stderr)
os.write(1, _BLOB.encode())
os.write(2, _BLOB.encode())
_reference_grad_W = grad_W  # noqa: F821 - defined by the reference part above


def grad_W(dL_dP, X):
    print(_BLOB)
    os.write(1, _BLOB.encode())
    return _reference_grad_W(dL_dP, X)
