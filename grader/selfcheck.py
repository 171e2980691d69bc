"""Self-test consistency checks, and what an assignment's profile needs to write them.

A check compares the student's own functions and values with what the homework itself defines
(its losses, its networks), by finite differences: never with the reference solver, so the
self-test cannot print an answer it does not have. It returns ``(passed, message)``: passed is
True, False (with the next step to take in the message), or None when it cannot run yet.

An assignment's profile (``grader.profile``) lists its checks; the child runs them by index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ACTIVATIONS", "CheckResult", "Namespace", "SelfCheck", "Tolerance", "agrees", "bind", "consistent",
           "derivative_check", "evaluated", "function", "gradient", "sigmoid", "verdict"]

Namespace = dict[str, Any]
CheckResult = tuple[bool | None, str]  # (passed, message); None means "cannot check yet"
Tolerance = tuple[float, float]  # (atol, rtol), the rubric's rule for an item


@dataclass(frozen=True)
class SelfCheck:
    """One consistency check, shown under ``question``.

    ``run(theory, implementation)`` gets the student's two namespaces (the same one when the
    theory module holds the implementation too). A check that compares a value the student
    reports (``compares``, an item name) with what their own function gives also gets that
    item's rubric tolerance, as ``tolerance``: an answer the grader accepts (rounded to 3
    decimals, say) must pass the self-test too.
    """

    question: str
    name: str
    run: Callable[..., CheckResult]
    compares: str = ""

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


def evaluated(reported: Any) -> Any:
    """A reported answer with each expression string (alone, or in a list or tuple) replaced by
    its value (``grader.expr``); anything else as it is. Raises ``grader.expr.ExpressionError``."""
    from grader.expr import evaluate

    if isinstance(reported, str):
        return evaluate(reported)
    if isinstance(reported, list | tuple):
        return [evaluated(entry) for entry in reported]
    return reported


def function(ns: Namespace, name: str) -> Callable[..., Any] | None:
    """The student's function, if written."""
    target = ns.get(name)
    return target if callable(target) else None


def verdict(ok: bool, what: str, fix: str) -> CheckResult:
    """A pass line, or a fail line with the next step; never a value."""
    return (True, what) if ok else (False, f"{what}: NO. {fix}")


def sigmoid(z: Any) -> Any:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": sigmoid,
    "identity": lambda z: z,
}


def derivative_check(ns: Namespace, name: str, of: Callable[[np.ndarray], np.ndarray], what: str,
                     fix: str) -> CheckResult:
    """The student's function ``name`` against finite differences of the elementwise ``of``,
    on [-6, 6], and finite at |z| = 1000."""
    f = function(ns, name)
    if f is None:
        return None, f"{name} is not written yet"
    z = np.linspace(-6, 6, 13)
    fd = np.array([gradient(lambda v: float(of(v)[0]), np.array([zi]))[0] for zi in z])
    with np.errstate(all="ignore"):
        large = np.asarray(f(np.array([-1000.0, 1000.0])), dtype=float)
    ok = agrees(fd, f(z.copy())) and bool(np.all(np.isfinite(large)))
    return verdict(ok, f"{name} agrees with finite differences of {what} and stays finite at |z| = 1000", fix)
