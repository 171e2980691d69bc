"""A partly wrong submission (example).

Formerly: reference solution for JHU EN.601.682 Deep Learning, Homework 3 (backpropagation).

Loaded by file path from the trusted grader process; the alternates below model the wrong or
partial-credit readings that the rubric names.
"""

import numpy as np
from numpy.typing import ArrayLike

ASSIGNMENT = "jhu-hw3"

# ---------------------------------------------------------------------------------------------
# Question 1
# ---------------------------------------------------------------------------------------------


def grad_W(dL_dP: ArrayLike, X: ArrayLike) -> np.ndarray:
    """Return dL/dW for P = W X, given dL/dP (m x n) and X (k x n)."""
    return np.asarray(dL_dP, dtype=float) @ np.asarray(X, dtype=float).T


Q1A_DERIVATION = (
    "P = W X, so P_ij = sum_k W_ik X_kj and dP_ij/dW_ab = [i = a] X_bj. "
    "By the chain rule dL/dW_ab = sum_ij dL/dP_ij dP_ij/dW_ab = sum_j dL/dP_aj X_bj "
    "= (dL/dP X^T)_ab, hence dL/dW = dL/dP X^T."
)


def _as_float(*arrays: ArrayLike) -> tuple[np.ndarray, ...]:
    """Return float64 copies of the arrays, so no caller's input is ever changed."""
    return tuple(np.array(a, dtype=float) for a in arrays)


def _column_gradient(W: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Return the gradient of ||Y - W X||_F^2 with the columns of X and Y as the samples."""
    if W.ndim != 2 or X.ndim != 2 or W.shape[1] != X.shape[0]:
        raise ValueError(f"W {W.shape} and X {X.shape} cannot be multiplied")
    if Y.shape != (W.shape[0], X.shape[1]):
        raise ValueError(f"Y has shape {Y.shape}, expected {(W.shape[0], X.shape[1])}")
    return 2.0 * (W @ X - Y) @ X.T


def _scaled_step(W: ArrayLike, X: ArrayLike, Y: ArrayLike, lr: float, scale: float) -> np.ndarray:
    """Return one gradient step on the column-sample L2 loss with its gradient times `scale`."""
    W, X, Y = _as_float(W, X, Y)
    return W - lr * scale * _column_gradient(W, X, Y)


def l2_step(W: ArrayLike, X: ArrayLike, Y: ArrayLike, lr: float) -> np.ndarray:
    """Averaged over the samples (a common convention)."""
    return _scaled_step(W, X, Y, lr, 1.0 / np.shape(X)[-1])


def l2_step_mean(W: ArrayLike, X: ArrayLike, Y: ArrayLike, lr: float) -> np.ndarray:
    """Return the step for the loss averaged over the n columns (half credit)."""
    return _scaled_step(W, X, Y, lr, 1.0 / np.shape(X)[-1])


def l2_step_half(W: ArrayLike, X: ArrayLike, Y: ArrayLike, lr: float) -> np.ndarray:
    """Return the step for the loss 0.5 ||Y - W X||_F^2 (half credit)."""
    return _scaled_step(W, X, Y, lr, 0.5)


def l2_step_mean_half(W: ArrayLike, X: ArrayLike, Y: ArrayLike, lr: float) -> np.ndarray:
    """Return the step for the loss with both the 1/2 and the mean over columns (half credit)."""
    return _scaled_step(W, X, Y, lr, 0.5 / np.shape(X)[-1])


def l2_step_per_sample(W: ArrayLike, X: ArrayLike, Y: ArrayLike, lr: float) -> np.ndarray:
    """Return W after n sequential single-column steps, column 0 first (not one iteration)."""
    W, X, Y = _as_float(W, X, Y)
    for i in range(X.shape[1]):
        W = W - lr * _column_gradient(W, X[:, i : i + 1], Y[:, i : i + 1])
    return W


def l2_step_rows(W: ArrayLike, X: ArrayLike, Y: ArrayLike, lr: float) -> np.ndarray:
    """Return the step that misreads the rows of X and Y as the samples."""
    W, X, Y = _as_float(W, X, Y)
    return W - lr * _column_gradient(W, X.T, Y.T)


# W, X (columns are samples), Y and the step size of question 1(b).
_Q1B_INPUTS = ([[0.3, 0.5], [-0.2, 0.4]], [[0.0, 2.0], [3.0, 1.0]], [[0.5, 1.0], [1.0, -1.5]], 0.1)

Q1B_W_NEW = l2_step(*_Q1B_INPUTS)
Q1B_W_NEW_MEAN = l2_step_mean(*_Q1B_INPUTS)
Q1B_W_NEW_MEAN_HALF = l2_step_mean_half(*_Q1B_INPUTS)
Q1B_W_NEW_PER_SAMPLE = l2_step_per_sample(*_Q1B_INPUTS)
Q1B_W_NEW_ROWS = l2_step_rows(*_Q1B_INPUTS)

# ---------------------------------------------------------------------------------------------
# Question 2
# ---------------------------------------------------------------------------------------------


def _sigmoid(z: ArrayLike) -> np.ndarray:
    """Return the logistic sigmoid without overflow, using exp(-|z|) only."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z: ArrayLike) -> np.ndarray:
    """Return sigma'(z) = sigma(z)(1 - sigma(z)) elementwise, finite for any finite z."""
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return e / (1.0 + e) ** 2


Q2A_MAX = float(sigmoid_prime(0.0))
Q2A_ARGMAX = 0.0
Q2A_INF = 0.0
Q2A_INF_ATTAINED = False


def _hidden_chain(w1: float, w2: float, x: float) -> tuple[float, float, float, float]:
    """Return the two hidden activations a1, a2 and the sigmoid slopes at z1, z2."""
    z1 = w1 * x
    a1 = float(_sigmoid(z1))
    z2 = w2 * a1
    return a1, float(_sigmoid(z2)), float(sigmoid_prime(z1)), float(sigmoid_prime(z2))


def _backprop_from_output(dL_dout: float, w1: float, w2: float, w3: float, x: float) -> np.ndarray:
    """Return (dL/dw1, dL/dw2, dL/dw3) given dL/d(w3 a2), the pre-activation of the output."""
    a1, a2, s1, s2 = _hidden_chain(w1, w2, x)
    dL_dz2 = dL_dout * w3 * s2
    dL_dz1 = dL_dz2 * w2 * s1
    return np.array([dL_dz1 * x, dL_dz2 * a1, dL_dout * a2], dtype=float)


def classification_grads(w1: float, w2: float, w3: float, x: float, y: float) -> np.ndarray:
    """Return the BCE gradients for y_hat = s(w3 s(w2 s(w1 x))) by backpropagation."""
    _, a2, _, _ = _hidden_chain(w1, w2, x)
    # BCE composed with the sigmoid has dL/dz3 = y_hat - y, which stays finite when y_hat saturates.
    y_hat = float(_sigmoid(w3 * a2))
    return _backprop_from_output(y_hat - y, w1, w2, w3, x)


def regression_grads(w1: float, w2: float, w3: float, x: float, y: float) -> np.ndarray:
    """Return the squared-error gradients for y_hat = w3 s(w2 s(w1 x)) by backpropagation."""
    _, a2, _, _ = _hidden_chain(w1, w2, x)
    return _backprop_from_output(2.0 * (w3 * a2 - y), w1, w2, w3, x)


_Q2_WEIGHTS = (0.25, -0.11, 0.78)
_Q2_X = 0.63

Q2B_GRADS = classification_grads(*_Q2_WEIGHTS, _Q2_X, 1.0)
Q2B_GRADS_SIGN_FLIPPED = -Q2B_GRADS
Q2B_TREND = "Exploding"

Q2D_GRADS = np.array([0.856, -26.818, -123.837])  # rounded to 3 decimals
Q2D_GRADS_SIGN_FLIPPED = -Q2D_GRADS
Q2D_TREND = "exploding"
Q2D_TREND_MISREAD = "vanishing"

Q2_NOTES = (
    "(b) Each layer back multiplies the gradient by a weight and by sigma' <= 0.25, so the "
    "gradients shrink from w3 to w1: they vanish. (d) The same factors still shrink the "
    "gradients toward w1, but the residual y_hat - 128 is huge, so every gradient is large: "
    "they explode."
)
