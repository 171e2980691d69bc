"""Reference solution for the theory part of NYU DS-GA 1008 Spring 2021, Homework 1.

One sample at a time: z1 = W1 x + b1, z2 = f(z1), z3 = W2 z2 + b2, y_hat = g(z3).
Loaded by file path from the trusted grader process.
"""

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

ASSIGNMENT = "nyu-hw1"

Params = dict[str, ArrayLike]
Elementwise = Callable[[np.ndarray], np.ndarray]

TRAINING_STEPS = ["zero_grad", "forward", "loss", "backward", "step"]
TRAINING_STEPS_CONSTRAINTS = [
    ("forward", "loss"),
    ("loss", "backward"),
    ("backward", "step"),
    ("zero_grad", "backward"),
]
TRAINING_STEPS_NOTES = (
    "1. optimizer.zero_grad(): set every dl/dW and dl/db accumulator to 0, since PyTorch adds "
    "new gradients to the stored ones. "
    "2. forward: y_hat = g(W2 f(W1 x + b1) + b2). "
    "3. loss: l = ||y_hat - y||^2. "
    "4. loss.backward(): the chain rule from dl/dy_hat back to dl/dW2, dl/db2, dl/dW1, dl/db1. "
    "5. optimizer.step(): W <- W - eta dl/dW and b <- b - eta dl/db for every layer."
)
RELU_BENEFIT = (
    "The sigmoid's derivative is at most 1/4 and nearly 0 when it saturates, so backpropagating "
    "through many sigmoid layers multiplies many small factors and the gradients of early layers "
    "vanish. ReLU's derivative is exactly 1 for positive inputs, so the gradient passes through "
    "active units without shrinking, and ReLU is cheap to compute; deeper networks train faster."
)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Return the logistic sigmoid without overflow, using exp(-|z|) only."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """Return sigma'(z) without overflow."""
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def _relu_prime(z: np.ndarray) -> np.ndarray:
    """Return ReLU'(z), taken as 0 at z = 0 as PyTorch does."""
    return (z > 0).astype(float)


_ACTIVATIONS: dict[str, tuple[Elementwise, Elementwise]] = {
    "relu": (lambda z: np.maximum(z, 0.0), _relu_prime),
    "sigmoid": (_sigmoid, _sigmoid_prime),
    "identity": (lambda z: z.copy(), np.ones_like),
}


def _activation(name: str) -> tuple[Elementwise, Elementwise]:
    """Return the activation called `name` and its derivative."""
    if name not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}, expected one of {sorted(_ACTIVATIONS)}")
    return _ACTIVATIONS[name]


def _arrays(params: Params) -> dict[str, np.ndarray]:
    """Return the four parameters as float64 arrays."""
    return {key: np.asarray(params[key], dtype=float) for key in ("W1", "b1", "W2", "b2")}


def forward_pass(x: ArrayLike, params: Params, f: str, g: str) -> dict[str, np.ndarray]:
    """Return the outputs z1, z2, z3 and y_hat of the four layers for one sample."""
    p = _arrays(params)
    f_fn, _ = _activation(f)
    g_fn, _ = _activation(g)
    z1 = p["W1"] @ np.asarray(x, dtype=float) + p["b1"]
    z2 = f_fn(z1)
    z3 = p["W2"] @ z2 + p["b2"]
    return {"z1": z1, "z2": z2, "z3": z3, "y_hat": g_fn(z3)}


def loss_value(y_hat: ArrayLike, y: ArrayLike, loss: str) -> float:
    """Return the loss: "mse" is the plain sum of squares, "bce" the mean over the K outputs."""
    y_hat, y = np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float)
    if loss == "mse":
        return float(np.sum((y_hat - y) ** 2))
    if loss == "bce":
        return float(np.mean(-(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat))))
    raise ValueError(f"unknown loss {loss!r}, expected 'mse' or 'bce'")


def _loss_gradient(y_hat: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """Return dl/dy_hat as a 1-D array."""
    if loss == "mse":
        return 2.0 * (y_hat - y)
    if loss == "bce":
        return (y_hat - y) / (y_hat * (1.0 - y_hat)) / y.size
    raise ValueError(f"unknown loss {loss!r}, expected 'mse' or 'bce'")


def jacobians(
    x: ArrayLike, y: ArrayLike, params: Params, f: str, g: str, loss: str
) -> dict[str, np.ndarray]:
    """Return the Jacobians dz2/dz1 (m x m), dy_hat/dz3 (K x K) and dl/dy_hat (1 x K)."""
    out = forward_pass(x, params, f, g)
    dl_dyhat = _loss_gradient(out["y_hat"], np.asarray(y, dtype=float), loss)
    return {
        "dz2_dz1": np.diag(_activation(f)[1](out["z1"])),
        "dyhat_dz3": np.diag(_activation(g)[1](out["z3"])),
        "dl_dyhat": dl_dyhat[np.newaxis, :],
    }


def param_grads(
    x: ArrayLike, y: ArrayLike, params: Params, f: str, g: str, loss: str
) -> dict[str, np.ndarray]:
    """Return dl/dW1, dl/db1, dl/dW2 and dl/db2, each in its parameter's shape."""
    x = np.asarray(x, dtype=float)
    out = forward_pass(x, params, f, g)
    jac = jacobians(x, y, params, f, g, loss)
    dl_dz3 = (jac["dl_dyhat"] @ jac["dyhat_dz3"])[0]
    dl_dz1 = (dl_dz3 @ _arrays(params)["W2"]) @ jac["dz2_dz1"]
    return {
        "W1": np.outer(dl_dz1, x),
        "b1": dl_dz1,
        "W2": np.outer(dl_dz3, out["z2"]),
        "b2": dl_dz3,
    }
