ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the harness with recursion: classification_grads recurses without end (a Python
# RecursionError); regression_grads raises the recursion limit and recurses through C code
# (map), so the C stack overflows and the process dies of SIGSEGV; Q2B_GRADS is a list nested
# 100000 deep, which a naive encoder or JSON reader would blow its stack on.
# Expect: q2b/classification_grads and q2c/regression_grads "error", q2b/Q2B_GRADS "wrong";
# everything else correct.
import sys


def classification_grads(w1, w2, w3, x, y):
    return classification_grads(w1, w2, w3, x, y)


def _dive(n):
    return list(map(_dive, [n + 1]))


def regression_grads(w1, w2, w3, x, y):
    sys.setrecursionlimit(10**8)
    return _dive(0)


Q2B_GRADS = []
for _ in range(100_000):
    Q2B_GRADS = [Q2B_GRADS]
