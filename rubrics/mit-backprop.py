"""The profile of mit-backprop: self-test checks of each error and derivative against finite differences of a scalar cost.

Loaded by the grader next to ``mit-backprop.toml`` (see ``grader.profile``). Its checks use only what the
homework states, never the reference solver, and report pass or fail and a next step, never a value.
"""

from __future__ import annotations

import numpy as np

from grader.harness.callables import sigmoid_prime
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

RNG_SEED = 6086
HOMEWORK = (3.0, 1.0, 0.01, -5.0, -1.0)


def _rng() -> np.random.Generator:
    return np.random.default_rng(RNG_SEED)


def _delta_last(ns: Namespace, impl: Namespace) -> CheckResult:
    f = function(ns, "delta_last")
    if f is None:
        return None, "delta_last is not written yet"
    rng = _rng()
    g, z = rng.normal(size=4), rng.normal(size=4)
    expected = gradient(lambda v: float(np.sum(g * sigmoid(v))), z)
    return verdict(agrees(expected, f(g.copy(), z.copy(), sigmoid_prime)),
                   "delta_last agrees with finite differences of C = sum(dC_da * f(z)), f = sigmoid",
                   "delta^L is the elementwise product of dC/da^L and f'(z^L).")


def _delta_hidden(ns: Namespace, impl: Namespace) -> CheckResult:
    f = function(ns, "delta_hidden")
    if f is None:
        return None, "delta_hidden is not written yet"
    rng = _rng()
    W, d, z, b = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=4), rng.normal(size=3)
    expected = gradient(lambda v: float(np.sum(d * (W @ sigmoid(v) + b))), z)
    return verdict(agrees(expected, f(W.copy(), d.copy(), z.copy(), sigmoid_prime)),
                   "delta_hidden agrees with finite differences through the next layer z' = W_next f(z) + b",
                   "Propagate with the transpose of W_next, then multiply by f'(z^l) elementwise.")


def _dc_dw(ns: Namespace, impl: Namespace) -> CheckResult:
    f = function(ns, "dC_dw")
    if f is None:
        return None, "dC_dw is not written yet"
    rng = _rng()
    a, d, W = rng.normal(size=4), rng.normal(size=3), rng.normal(size=(3, 4))
    expected = gradient(lambda w: float(np.sum(d * (w @ a))), W)
    return verdict(agrees(expected, f(a.copy(), d.copy())),
                   "dC_dw agrees with finite differences of C = sum(delta * (w a_prev + b)) in w",
                   "dC/dw^l_jk is delta^l_j a^(l-1)_k: an outer product of shape (len(delta), len(a_prev)).")


def _dc_db(ns: Namespace, impl: Namespace) -> CheckResult:
    f = function(ns, "dC_db")
    if f is None:
        return None, "dC_db is not written yet"
    rng = _rng()
    a, d, W, b = rng.normal(size=4), rng.normal(size=3), rng.normal(size=(3, 4)), rng.normal(size=3)
    expected = gradient(lambda v: float(np.sum(d * (W @ a + v))), b)
    return verdict(agrees(expected, f(d.copy())), "dC_db agrees with finite differences in b",
                   "dC/db^l_j is delta^l_j.")


def _sigmoid_prime(ns: Namespace) -> CheckResult:
    return derivative_check(ns, "sigmoid_prime", sigmoid, "the sigmoid",
                            "Use a form of sigma(z)(1 - sigma(z)) that does not overflow for large |z|.")


def _net_cost(p: np.ndarray, x: float, t: float) -> float:
    w1, w2, b = p
    return float(0.5 * (sigmoid(w2 * max(w1 * x, 0.0) + b) - t) ** 2)


def _simple_net(ns: Namespace, impl: Namespace) -> CheckResult:
    f = function(ns, "simple_net_grads")
    if f is None:
        return None, "simple_net_grads is not written yet"
    rng = _rng()
    cases = [HOMEWORK] + [(float(rng.uniform(0.5, 3)), float(rng.uniform(0, 1)), float(rng.uniform(0.1, 1)),
                           float(rng.normal()), float(rng.normal())) for _ in range(3)]
    ok = all(agrees(gradient(bind(_net_cost, x, t), np.array([w1, w2, b])), f(x, t, w1, w2, b))
             for x, t, w1, w2, b in cases)
    return verdict(ok, "simple_net_grads agrees with finite differences of C = 1/2 (y - t)^2",
                   "Backpropagate through the sigmoid, then w2, then the ReLU and w1.")


def _reported_grads(ns: Namespace, impl: Namespace, tolerance: Tolerance) -> CheckResult:
    f = function(ns, "simple_net_grads")
    if f is None or ns.get("SIMPLE_NET_GRADS") is None:
        return None, "SIMPLE_NET_GRADS and simple_net_grads are needed for this check"
    return verdict(consistent(f(*HOMEWORK), ns["SIMPLE_NET_GRADS"], tolerance),
                   "SIMPLE_NET_GRADS equals your simple_net_grads at the homework's parameters",
                   "Recompute SIMPLE_NET_GRADS with your function, or fix whichever is wrong.")


def _sgd(ns: Namespace, impl: Namespace) -> CheckResult:
    f = function(ns, "sgd_update")
    if f is None:
        return None, "sgd_update is not written yet"
    rng = _rng()
    w, c = rng.normal(size=5), rng.normal(size=5)
    cost = lambda v: float(0.5 * np.sum((np.asarray(v, dtype=float) - c) ** 2))  # noqa: E731
    ok = cost(f(w.copy(), 0.1, (w - c).copy())) < cost(w)
    return verdict(ok, "sgd_update with a small step lowers a quadratic cost",
                   "Step against the gradient: w - eta * grad.")


CHECKS = [
    SelfCheck("error-last", "delta_last gradient check", _delta_last),
    SelfCheck("error-hidden", "delta_hidden gradient check", _delta_hidden),
    SelfCheck("param-derivatives", "dC_dw gradient check", _dc_dw),
    SelfCheck("param-derivatives", "dC_db gradient check", _dc_db),
    SelfCheck("activations", "sigmoid_prime gradient check", lambda ns, impl: _sigmoid_prime(ns)),
    SelfCheck("simple-network", "simple_net_grads gradient check", _simple_net),
    SelfCheck("simple-network", "SIMPLE_NET_GRADS consistency", _reported_grads, compares="SIMPLE_NET_GRADS"),
    SelfCheck("sgd", "sgd_update descent check", _sgd),
]

PROFILE = Profile(checks=CHECKS)
