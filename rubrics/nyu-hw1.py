"""The profile of nyu-hw1: the MLP harness, and self-test checks of param_grads and jacobians against
finite differences of the student's own forward pass and loss, and of the MLP against torch autograd.

Loaded by the grader next to ``nyu-hw1.toml`` (see ``grader.profile``). Its checks use only what the
homework states, never the reference solver, and report pass or fail and a next step, never a value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.harness.calls import fresh, note_autograd
from grader.profile import Profile
from grader.selfcheck import (
    ACTIVATIONS,
    CheckResult,
    Namespace,
    SelfCheck,
    agrees,
    bind,
    function,
    gradient,
    verdict,
)

RNG_SEED = 1008
CONFIGS = [("relu", "identity", "mse", "1.2c"), ("sigmoid", "sigmoid", "mse", "1.3a"),
           ("sigmoid", "sigmoid", "bce", "1.3b")]
COURSE_TESTS = [(2, 20, 5, "relu", "identity", "mse"), (2, 20, 5, "sigmoid", "sigmoid", "bce"),
                (2, 20, 22, "relu", "relu", "mse")]


def _sample(rng: np.random.Generator, loss: str) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    n, m, k = 3, 4, 2
    params = {"W1": rng.normal(size=(m, n)), "b1": rng.normal(size=m),
              "W2": rng.normal(size=(k, m)), "b2": rng.normal(size=k)}
    y = rng.uniform(0.1, 0.9, size=k) if loss == "bce" else rng.normal(size=k)
    return rng.normal(size=n), y, params


def _param_grads(f: str, g: str, loss: str, question: str) -> SelfCheck:
    def run(ns: Namespace, impl: Namespace) -> CheckResult:
        grads, forward, value = (function(ns, n) for n in ("param_grads", "forward_pass", "loss_value"))
        if grads is None or forward is None or value is None:
            return None, "param_grads, forward_pass and loss_value are all needed for this check"
        x, y, params = _sample(np.random.default_rng(RNG_SEED), loss)
        got = grads(x.copy(), y.copy(), {k: v.copy() for k, v in params.items()}, f, g, loss)

        def cost(v: np.ndarray, name: str) -> float:
            return float(value(forward(x, {**params, name: v}, f, g)["y_hat"], y, loss))

        ok = isinstance(got, dict) and all(
            name in got and agrees(gradient(bind(cost, name), params[name]), got[name]) for name in params)
        return verdict(ok, f"param_grads ({f}, {g}, {loss}) agrees with finite differences of your "
                       "loss_value(forward_pass(...))",
                       "Check each gradient's shape and the chain rule; loss_value and forward_pass must be right too.")
    return SelfCheck(question, f"param_grads {f}/{g}/{loss}", run)


def _jacobians(f: str, g: str, loss: str, question: str) -> SelfCheck:
    def run(ns: Namespace, impl: Namespace) -> CheckResult:
        jac, forward, value = (function(ns, n) for n in ("jacobians", "forward_pass", "loss_value"))
        if jac is None or forward is None or value is None:
            return None, "jacobians, forward_pass and loss_value are all needed for this check"
        x, y, params = _sample(np.random.default_rng(RNG_SEED + 1), loss)
        got = jac(x.copy(), y.copy(), {k: v.copy() for k, v in params.items()}, f, g, loss)
        out = forward(x, params, f, g)
        expected = {
            "dz2_dz1": _jacobian(ACTIVATIONS[f], np.asarray(out["z1"], dtype=float)),
            "dyhat_dz3": _jacobian(ACTIVATIONS[g], np.asarray(out["z3"], dtype=float)),
            "dl_dyhat": gradient(lambda v: float(value(v, y, loss)), np.asarray(out["y_hat"], dtype=float))[None, :],
        }
        ok = isinstance(got, dict) and all(k in got and agrees(v, got[k]) for k, v in expected.items())
        return verdict(ok, f"jacobians ({f}, {g}, {loss}) agree with finite differences of f, g and your loss_value",
                       "dz2_dz1 and dyhat_dz3 are square matrices (diagonal here); dl_dyhat is a 1 x K row.")
    return SelfCheck(question, f"jacobians {f}/{g}/{loss}", run)


def _jacobian(fn: Any, z: np.ndarray) -> np.ndarray:
    return np.stack([gradient(bind(_entry, fn, i), z) for i in range(z.size)])


def _entry(v: np.ndarray, fn: Any, i: int) -> float:
    return float(fn(v)[i])


def _mlp(ns: Namespace, impl: Namespace) -> CheckResult:
    try:
        import torch
    except ImportError:
        return None, "torch is not installed: the MLP cannot be checked here"
    cls = impl.get("MLP")
    losses = {"mse": impl.get("mse_loss"), "bce": impl.get("bce_loss")}
    if cls is None or None in losses.values():
        return None, "MLP, mse_loss and bce_loss are needed for this check"
    passed = sum(_course_test(torch, cls, losses, *test) for test in COURSE_TESTS)
    return verdict(passed == len(COURSE_TESTS),
                   f"the MLP passes {passed} of the course's {len(COURSE_TESTS)} public tests against torch autograd",
                   "Compare each gradient's shape with its parameter's, and average the loss over batch x outputs.")


def _course_test(torch: Any, cls: Any, losses: dict[str, Any], n_in: int, hidden: int, n_out: int,
                 f: str, g: str, loss: str) -> bool:
    torch.manual_seed(0)
    net = cls(n_in, hidden, f, hidden, n_out, g)
    x = torch.randn(10, n_in)
    y = (torch.randn(10, n_out) > 0).float() if loss == "bce" else torch.randn(10, n_out)
    net.clear_grad_and_cache()
    y_hat = net.forward(x)
    _, dJdy_hat = losses[loss](y, y_hat)
    net.backward(dJdy_hat)
    acts = {"relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda t: t}
    params = {k: net.parameters[k].clone().detach().requires_grad_(True) for k in ("W1", "b1", "W2", "b2")}
    out = acts[g](acts[f](x @ params["W1"].T + params["b1"]) @ params["W2"].T + params["b2"])
    criterion = torch.nn.BCELoss() if loss == "bce" else torch.nn.MSELoss()
    criterion(out, y).backward()
    return all((net.grads["dJd" + k] - params[k].grad).norm() < 1e-3 for k in params)


CHECKS = [
    *[_param_grads(*config) for config in CONFIGS],
    *[_jacobians(*config) for config in CONFIGS],
    SelfCheck("impl-backward", "MLP course tests", _mlp),
]


# -- the harness: how the course uses its MLP class ------------------------------------------------

PARAMETERS = ("W1", "b1", "W2", "b2")
GRADS = ("dJdW1", "dJdb1", "dJdW2", "dJdb2")


def mlp(cls: Any, kw: dict[str, Any], scenario: str | None) -> Any:
    """Build the network, load its parameters, run forward, then backward, then clear, as asked."""
    net = cls(kw["n_in"], kw["hidden"], kw["f"], kw["hidden"], kw["n_out"], kw["g"])
    for name in PARAMETERS:
        param = net.parameters[name]
        if tuple(param.shape) != tuple(kw[name].shape):
            raise ValueError(f"parameters[{name!r}] has shape {tuple(param.shape)}, expected {tuple(kw[name].shape)}")
        param.copy_(kw[name])
    y_hat = net.forward(kw["x"])
    if scenario in (None, "forward"):
        return y_hat
    net.backward(kw["dJdy_hat"])
    if scenario == "clear":
        net.clear_grad_and_cache()
    note_autograd([y_hat, *(net.parameters[name] for name in PARAMETERS)])
    return {name: fresh(net.grads[name]) for name in GRADS}


PROFILE = Profile(harnesses={"mlp": mlp}, checks=CHECKS)
