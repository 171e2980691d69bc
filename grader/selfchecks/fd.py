"""Central finite differences and the comparison the self-test uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.selfchecks import Namespace, Outcome

EPS = 1e-6
RTOL = 1e-4
ATOL = 1e-6


def gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """d f / d x by central differences, in float64."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        up = f(x)
        x[index] = saved - eps
        down = f(x)
        x[index] = saved
        grad[index] = (up - down) / (2 * eps)
    return grad


def bind(f: Callable[..., float], *args: Any) -> Callable[[np.ndarray], float]:
    """``v -> f(v, *args)``, the one-argument function finite differences need."""
    def bound(v: np.ndarray) -> float:
        return float(f(v, *args))
    return bound


def agrees(expected: np.ndarray, actual: Any) -> bool:
    """Whether ``actual`` has the expected shape and values, to finite-difference accuracy."""
    try:
        got = np.asarray(actual.detach().numpy() if hasattr(actual, "detach") else actual, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(expected) and bool(np.allclose(got, expected, rtol=RTOL, atol=ATOL))


def consistent(computed: Any, reported: Any, tolerance: tuple[float, float]) -> bool:
    """Whether a reported value matches the student's own function's, under the rubric's rule
    ``|reported - computed| <= atol + rtol * |computed|``, shapes first."""
    try:
        want = np.asarray(computed, dtype=np.float64)
        got = np.asarray(reported.detach().numpy() if hasattr(reported, "detach") else reported, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    atol, rtol = tolerance
    return got.shape == want.shape and bool(np.all(np.abs(got - want) <= atol + rtol * np.abs(want)))


def function(ns: Namespace, name: str) -> Callable[..., Any] | None:
    """The student's function, if written."""
    target = ns.get(name)
    return target if callable(target) else None


def verdict(ok: bool, what: str, fix: str) -> Outcome:
    """A pass line, or a fail line with the next step; never a value."""
    return (True, what) if ok else (False, f"{what}: NO. {fix}")


def sigmoid(z: Any) -> Any:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": sigmoid,
    "identity": lambda z: z,
}


def sigmoid_prime_check(ns: Namespace) -> Outcome:
    """The student's sigmoid_prime against finite differences of the sigmoid, and finite at |z| = 1000."""
    f = function(ns, "sigmoid_prime")
    if f is None:
        return None, "sigmoid_prime is not written yet"
    z = np.linspace(-6, 6, 13)
    fd = np.array([gradient(bind(_sigmoid_at, 0), np.array([zi]))[0] for zi in z])
    with np.errstate(all="ignore"):
        large = np.asarray(f(np.array([-1000.0, 1000.0])), dtype=float)
    ok = agrees(fd, f(z.copy())) and bool(np.all(np.isfinite(large)))
    return verdict(ok, "sigmoid_prime agrees with finite differences of the sigmoid and stays finite at |z| = 1000",
                   "Use a form of sigma(z)(1 - sigma(z)) that does not overflow for large |z|.")


def _sigmoid_at(v: np.ndarray, index: int) -> float:
    return float(sigmoid(v[index]))
