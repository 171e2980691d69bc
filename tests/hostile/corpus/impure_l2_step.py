ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Control for impure_l2_step_patched*: l2_step gives the right new W but updates the caller's
# W in place, which the rubric forbids (l2_step is `pure`).
# Expect: q1b/l2_step "wrong" ("it changed its input"); everything else correct.
import numpy as np


def l2_step(W, X, Y, lr):
    W = np.asarray(W, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    W -= lr * 2.0 * (W @ X - Y) @ X.T
    return W
