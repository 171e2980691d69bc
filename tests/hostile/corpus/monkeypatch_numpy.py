ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# Attacks comparisons made in the same process: the blank template, wrong answers everywhere,
# and numpy's comparison functions, abs and float replaced so that everything "matches".
# Expect: comparisons happen in the parent: 0 points, nothing correct.
import builtins

import numpy as np

Q1A_DERIVATION = None
Q1B_W_NEW = np.zeros((2, 2))
Q2A_MAX = 0.0
Q2A_ARGMAX = 1.0
Q2A_INF = 1.0
Q2A_INF_ATTAINED = True
Q2B_GRADS = np.zeros(3)
Q2B_TREND = "neither"
Q2D_GRADS = np.zeros(3)
Q2D_TREND = "neither"


def grad_W(dL_dP, X):
    return np.zeros((1, 1))


def l2_step(W, X, Y, lr):
    return np.zeros_like(np.asarray(W, dtype=np.float64))


def sigmoid_prime(z):
    return np.zeros_like(np.asarray(z, dtype=np.float64))


def classification_grads(w1, w2, w3, x, y):
    return np.zeros(3)


def regression_grads(w1, w2, w3, x, y):
    return np.zeros(3)


class _AlwaysEqualFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
builtins.abs = lambda value: 0
builtins.float = _AlwaysEqualFloat
