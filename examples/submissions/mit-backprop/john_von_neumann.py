"""Reference solution for MITx 6.86x, Unit 3 homework, page "Backpropagation".

Loaded by file path from the trusted grader process.
"""

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

ASSIGNMENT = "mit-backprop"

Activation = Callable[[np.ndarray], np.ndarray]


def delta_last(dC_da: ArrayLike, z: ArrayLike, f_prime: Activation) -> np.ndarray:
    """Return the error delta^L = dC/da^L * f'(z^L) of the last layer."""
    z = np.asarray(z, dtype=float)
    return np.asarray(dC_da, dtype=float) * np.asarray(f_prime(z), dtype=float)


def delta_hidden(
    W_next: ArrayLike, delta_next: ArrayLike, z: ArrayLike, f_prime: Activation
) -> np.ndarray:
    """Return delta^l = (W^{l+1})^T delta^{l+1} * f'(z^l) for a hidden layer l."""
    back = np.asarray(W_next, dtype=float).T @ np.asarray(delta_next, dtype=float)
    return back * np.asarray(f_prime(np.asarray(z, dtype=float)), dtype=float)


DELTA_HIDDEN_CHOICE = 2


def dC_dw(a_prev: ArrayLike, delta: ArrayLike) -> np.ndarray:
    """Return dC/dw^l_jk = a^{l-1}_k delta^l_j as a (len(delta), len(a_prev)) matrix."""
    return np.outer(np.asarray(delta, dtype=float), np.asarray(a_prev, dtype=float))


def dC_db(delta: ArrayLike) -> np.ndarray:
    """Return dC/db^l, which is delta^l itself."""
    return np.array(delta, dtype=float)


def _sigmoid(z: ArrayLike) -> np.ndarray:
    """Return the logistic sigmoid without overflow, using exp(-|z|) only."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z: ArrayLike) -> np.ndarray:
    """Return sigma'(z) = sigma(z)(1 - sigma(z)) elementwise, finite for any finite z."""
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return e / (1.0 + e) ** 2


SIGMOID_PRIME_LARGE_Z = "becomes small"
RELU_PRIME_POS = 1.0
RELU_PRIME_NEG = 0.0


def _simple_net_forward(x: float, w1: float, w2: float, b: float) -> tuple[float, float, float]:
    """Return z1, z2 and the output y of the one-neuron-per-layer network."""
    z1 = w1 * x
    z2 = w2 * max(z1, 0.0) + b
    return z1, z2, float(_sigmoid(z2))


def simple_net_loss(x: float, t: float, w1: float, w2: float, b: float) -> float:
    """Return C = (y - t)^2 / 2 for the simple network."""
    _, _, y = _simple_net_forward(x, w1, w2, b)
    return 0.5 * (y - t) ** 2


def simple_net_grads(x: float, t: float, w1: float, w2: float, b: float) -> np.ndarray:
    """Return (dC/dw1, dC/dw2, dC/db) for the simple network by backpropagation."""
    z1, z2, y = _simple_net_forward(x, w1, w2, b)
    delta2 = (y - t) * float(sigmoid_prime(z2))
    # ReLU'(0) is taken as 0, the convention PyTorch uses.
    delta1 = delta2 * w2 * (1.0 if z1 > 0 else 0.0)
    return np.array([delta1 * x, delta2 * max(z1, 0.0), delta2], dtype=float)


_SIMPLE_NET_PARAMS = {"x": 3.0, "t": 1.0, "w1": 0.01, "w2": -5.0, "b": -1.0}
SIMPLE_NET_LOSS = simple_net_loss(**_SIMPLE_NET_PARAMS)
SIMPLE_NET_GRADS = np.array([[2.081, -0.004, -0.139]])  # wrong shape (1, 3)


def _unused_sgd(w: ArrayLike, eta: float, grad: ArrayLike) -> np.ndarray:
    """Return the new weights w - eta * grad of one SGD step."""
    return np.asarray(w, dtype=float) - eta * np.asarray(grad, dtype=float)


def sgd_update(w, eta, grad):
    return np.array([0.5, -0.25])  # a hard-coded constant
