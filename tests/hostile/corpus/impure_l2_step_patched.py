ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the purity check: the in-place l2_step of impure_l2_step.py, plus np.array_equal
# replaced so that "did the inputs change?" is always answered "no" in the child.
# Expect (rubric: l2_step is pure): q1b/l2_step "wrong", as for impure_l2_step.py.
import numpy as np


def l2_step(W, X, Y, lr):
    W = np.asarray(W, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    W -= lr * 2.0 * (W @ X - Y) @ X.T
    return W


np.array_equal = lambda *args, **kwargs: True
