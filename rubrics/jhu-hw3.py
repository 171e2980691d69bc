"""The profile of jhu-hw3: self-test checks of its gradients against finite differences of the homework's own losses.

Loaded by the grader next to ``jhu-hw3.toml`` (see ``grader.profile``). Its checks use only what the
homework states, never the reference solver, and report pass or fail and a next step, never a value.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader.profile import Profile
from grader.selfcheck import (
    CheckResult,
    Namespace,
    SelfCheck,
    Tolerance,
    agrees,
    bind,
    consistent,
    derivative_check,
    function,
    gradient,
    sigmoid,
    verdict,
)

W0 = np.array([[0.3, 0.5], [-0.2, 0.4]])
X0 = np.array([[0.0, 2.0], [3.0, 1.0]])
Y0 = np.array([[0.5, 1.0], [1.0, -1.5]])
NET = (0.25, -0.11, 0.78, 0.63)
RNG_SEED = 20260


def _bilinear(W: np.ndarray, G: np.ndarray, X: np.ndarray) -> float:
    return float(np.sum(G * (W @ X)))


def _grad_w(ns: Namespace) -> CheckResult:
    f = function(ns, "grad_W")
    if f is None:
        return None, "grad_W is not written yet"
    rng = np.random.default_rng(RNG_SEED)
    ok = True
    for m, n, k in [(2, 3, 4), (1, 1, 3), (3, 2, 1)]:
        G, X, W = rng.normal(size=(m, n)), rng.normal(size=(k, n)), rng.normal(size=(m, k))
        ok &= agrees(gradient(bind(_bilinear, G, X), W), f(G.copy(), X.copy()))
    return verdict(ok, "grad_W(dL_dP, X) agrees with finite differences of L = sum(dL_dP * (W X))",
                   "Check the order and transposes of the product; the result is m x k.")


def _l2_loss(W: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
    return float(np.sum((Y - W @ X) ** 2))


def _l2_step(ns: Namespace) -> CheckResult:
    f = function(ns, "l2_step")
    if f is None:
        return None, "l2_step is not written yet"
    rng = np.random.default_rng(RNG_SEED)
    cases = [(W0, X0, Y0, 0.1), (rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), 0.05)]
    ok = all(agrees(W - lr * gradient(bind(_l2_loss, X, Y), W), f(W.copy(), X.copy(), Y.copy(), lr))
             for W, X, Y, lr in cases)
    return verdict(ok, "l2_step is one gradient step on L = ||Y - W X||^2 (sum over the columns, no 1/2)",
                   "Take the gradient of exactly this loss: no mean over samples, no 1/2, one step using all columns.")


def _w_new(ns: Namespace, impl: Namespace, tolerance: Tolerance) -> CheckResult:
    f = function(ns, "l2_step")
    if f is None or ns.get("Q1B_W_NEW") is None:
        return None, "Q1B_W_NEW and l2_step are needed for this check"
    ok = consistent(f(W0.copy(), X0.copy(), Y0.copy(), 0.1), ns["Q1B_W_NEW"], tolerance)
    return verdict(ok, "Q1B_W_NEW equals your l2_step at the homework's W, X, Y and step 0.1",
                   "Recompute Q1B_W_NEW with your l2_step, or fix whichever of the two is wrong.")


def _max_consistent(ns: Namespace, impl: Namespace, tolerance: Tolerance) -> CheckResult:
    f = function(ns, "sigmoid_prime")
    top, where = ns.get("Q2A_MAX"), ns.get("Q2A_ARGMAX")
    if f is None or top is None or where is None:
        return None, "Q2A_MAX, Q2A_ARGMAX and sigmoid_prime are needed for this check"
    grid = np.asarray(f(np.linspace(-10, 10, 2001)), dtype=float)
    at = float(np.asarray(f(np.array([float(where)])), dtype=float)[0])
    highest = float(np.max(grid))
    ok = consistent(at, top, tolerance) and consistent(highest, max(highest, float(top)), tolerance)
    return verdict(ok, "Q2A_MAX is your sigmoid_prime's largest value, reached at Q2A_ARGMAX",
                   "Evaluate your sigmoid_prime at Q2A_ARGMAX and compare it with its values elsewhere.")


def _sigmoid_prime(ns: Namespace) -> CheckResult:
    return derivative_check(ns, "sigmoid_prime", sigmoid, "the sigmoid",
                            "Use a form of sigma(z)(1 - sigma(z)) that does not overflow for large |z|.")


def _classification_loss(w: np.ndarray, x: float, y: float) -> float:
    y_hat = sigmoid(w[2] * sigmoid(w[1] * sigmoid(w[0] * x)))
    return float(-(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))


def _regression_loss(w: np.ndarray, x: float, y: float) -> float:
    return float((w[2] * sigmoid(w[1] * sigmoid(w[0] * x)) - y) ** 2)


def _network(name: str, loss: Callable[..., float], samples: list[float], what: str) -> SelfCheck:
    def run(ns: Namespace, impl: Namespace) -> CheckResult:
        f = function(ns, name)
        if f is None:
            return None, f"{name} is not written yet"
        rng = np.random.default_rng(RNG_SEED)
        cases = [(np.array(NET[:3]), NET[3], y) for y in samples]
        cases += [(rng.normal(size=3), float(rng.normal()), float(rng.uniform(0.1, 0.9))) for _ in range(3)]
        ok = all(agrees(gradient(bind(loss, x, y), w), f(*w, x, y)) for w, x, y in cases)
        return verdict(ok, f"{name} agrees with finite differences of {what}, at the homework's weights and at random ones",
                       "Redo the chain rule layer by layer; report dL/dw, not dL/dy_hat or dL/dz3.")
    return SelfCheck("q2b" if name.startswith("class") else "q2c", f"{name} gradient check", run)


def _reported(question: str, value: str, name: str, y: float) -> SelfCheck:
    def run(ns: Namespace, impl: Namespace, tolerance: Tolerance) -> CheckResult:
        f = function(ns, name)
        if f is None or ns.get(value) is None:
            return None, f"{value} and {name} are needed for this check"
        ok = consistent(f(*NET, y), ns[value], tolerance)
        return verdict(ok, f"{value} equals your {name} at the homework's weights and sample",
                       f"Recompute {value} with your {name}, or fix whichever of the two is wrong.")
    return SelfCheck(question, f"{value} consistency", run, compares=value)


CHECKS = [
    SelfCheck("q1a", "grad_W gradient check", lambda ns, impl: _grad_w(ns)),
    SelfCheck("q1b", "l2_step gradient check", lambda ns, impl: _l2_step(ns)),
    SelfCheck("q1b", "Q1B_W_NEW consistency", _w_new, compares="Q1B_W_NEW"),
    SelfCheck("q2a", "sigmoid_prime gradient check", lambda ns, impl: _sigmoid_prime(ns)),
    SelfCheck("q2a", "Q2A_MAX consistency", _max_consistent, compares="Q2A_MAX"),
    _network("classification_grads", _classification_loss, [1.0], "the cross-entropy of y_hat = s(w3 s(w2 s(w1 x)))"),
    _reported("q2b", "Q2B_GRADS", "classification_grads", 1.0),
    _network("regression_grads", _regression_loss, [1.0, 128.0], "(w3 s(w2 s(w1 x)) - y)^2"),
    _reported("q2d", "Q2D_GRADS", "regression_grads", 128.0),
]

PROFILE = Profile(checks=CHECKS)
