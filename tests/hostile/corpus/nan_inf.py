ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks numeric comparison with non-finite values: nan and inf compare false with
# everything, so a check written as "not (|a - b| > tol)" would pass them.
# Expect: q1b/Q1B_W_NEW, q2a/sigmoid_prime (nan at |z| = 1000), q2a/Q2A_MAX, q2a/Q2A_ARGMAX,
# q2b/classification_grads and q2d/Q2D_GRADS "wrong"; everything else correct.
import numpy as np

nan, inf = float("nan"), float("inf")
Q1B_W_NEW = np.array([[nan, inf], [-inf, nan]])
Q2A_MAX = nan
Q2A_ARGMAX = inf
Q2D_GRADS = [inf, -inf, nan]


def sigmoid_prime(z):
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.exp(-z) / (1.0 + np.exp(-z)) ** 2


def classification_grads(w1, w2, w3, x, y):
    return np.full(3, nan)
