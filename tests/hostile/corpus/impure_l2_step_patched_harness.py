ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the purity check through the harness: the in-place l2_step of impure_l2_step.py,
# plus the harness's own mutation detector replaced by one that never finds a change.
# Expect (rubric: l2_step is pure): q1b/l2_step "wrong", as for impure_l2_step.py.
import grader.harness.calls as _calls
import numpy as np


def l2_step(W, X, Y, lr):
    W = np.asarray(W, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    W -= lr * 2.0 * (W @ X - Y) @ X.T
    return W


_calls._mutated = lambda after, before: []
