"""Check the nyu-hw1 theory reference against finite differences, hand formulas and torch."""

import itertools
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

NumericGrad = Callable[..., np.ndarray]
Elementwise = Callable[[np.ndarray], np.ndarray]

# Written here independently of the reference.
ACTIVATIONS: dict[str, Elementwise] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "identity": lambda z: z,
}
FG_PAIRS = list(itertools.product(sorted(ACTIVATIONS), repeat=2))
# Every f, g pair with MSE, and every f with g = sigmoid under BCE.
CASES = [(f, g, "mse") for f, g in FG_PAIRS] + [(f, "sigmoid", "bce") for f in sorted(ACTIVATIONS)]
# (n, m, K, seed)
SIZES = [(1, 1, 1, 0), (3, 4, 2, 1), (2, 5, 3, 2), (4, 2, 5, 3)]
STEPS = {"forward", "loss", "zero_grad", "backward", "step"}


def _problem(n: int, m: int, K: int, seed: int, loss: str) -> tuple:
    """Return a seeded sample x, label y and params; BCE labels lie in [0, 1]."""
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.normal(size=(m, n)),
        "b1": rng.normal(size=m),
        "W2": rng.normal(size=(K, m)),
        "b2": rng.normal(size=K),
    }
    y = rng.uniform(size=K) if loss == "bce" else rng.normal(size=K)
    return rng.normal(size=n), y, params


def _forward(x: np.ndarray, p: dict, f: str, g: str) -> dict[str, np.ndarray]:
    """Return the four layer outputs."""
    z1 = p["W1"] @ x + p["b1"]
    z2 = ACTIVATIONS[f](z1)
    z3 = p["W2"] @ z2 + p["b2"]
    return {"z1": z1, "z2": z2, "z3": z3, "y_hat": ACTIVATIONS[g](z3)}


def _loss(y_hat: np.ndarray, y: np.ndarray, loss: str) -> float:
    """Return the homework's loss: a plain sum for MSE, a mean over K for BCE."""
    if loss == "mse":
        return float(np.sum((y_hat - y) ** 2))
    return float(np.mean(-y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat)))


@pytest.mark.parametrize(("f", "g"), FG_PAIRS)
@pytest.mark.parametrize(("n", "m", "K", "seed"), SIZES)
def test_forward_pass(nyu: ModuleType, f: str, g: str, n: int, m: int, K: int, seed: int) -> None:
    x, _, params = _problem(n, m, K, seed, "mse")
    expected = _forward(x, params, f, g)
    actual = nyu.forward_pass(x, params, f, g)
    assert set(actual) == {"z1", "z2", "z3", "y_hat"}
    for key, value in expected.items():
        assert actual[key].shape == value.shape and actual[key].dtype == np.float64
        np.testing.assert_allclose(actual[key], value, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("loss", ["mse", "bce"])
@pytest.mark.parametrize("K", [1, 3, 6])
def test_loss_value(nyu: ModuleType, loss: str, K: int) -> None:
    rng = np.random.default_rng(K)
    y_hat, y = rng.uniform(0.05, 0.95, size=K), rng.uniform(size=K)
    terms = [
        (a - b) ** 2 if loss == "mse" else -(b * np.log(a) + (1 - b) * np.log(1 - a)) / K
        for a, b in zip(y_hat, y, strict=True)
    ]
    assert nyu.loss_value(y_hat, y, loss) == pytest.approx(sum(terms), rel=1e-13)


@pytest.mark.parametrize(("f", "g", "loss"), CASES)
@pytest.mark.parametrize(("n", "m", "K", "seed"), SIZES)
def test_param_grads_match_finite_differences(
    nyu: ModuleType,
    numeric_grad: NumericGrad,
    f: str,
    g: str,
    loss: str,
    n: int,
    m: int,
    K: int,
    seed: int,
) -> None:
    x, y, params = _problem(n, m, K, seed, loss)
    actual = nyu.param_grads(x, y, params, f, g, loss)
    assert set(actual) == set(params)
    for name, value in params.items():

        def loss_of(v: np.ndarray, name: str = name) -> float:
            return _loss(_forward(x, {**params, name: v}, f, g)["y_hat"], y, loss)

        assert actual[name].shape == value.shape
        np.testing.assert_allclose(actual[name], numeric_grad(loss_of, value), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(("f", "g", "loss"), CASES)
@pytest.mark.parametrize(("n", "m", "K", "seed"), SIZES)
def test_jacobians_match_finite_differences(
    nyu: ModuleType,
    numeric_grad: NumericGrad,
    f: str,
    g: str,
    loss: str,
    n: int,
    m: int,
    K: int,
    seed: int,
) -> None:
    x, y, params = _problem(n, m, K, seed, loss)
    out = _forward(x, params, f, g)
    expected = {
        "dz2_dz1": numeric_grad(ACTIVATIONS[f], out["z1"]),
        "dyhat_dz3": numeric_grad(ACTIVATIONS[g], out["z3"]),
        "dl_dyhat": numeric_grad(lambda v: _loss(v, y, loss), out["y_hat"])[np.newaxis, :],
    }
    actual = nyu.jacobians(x, y, params, f, g, loss)
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert actual[key].shape == value.shape, key
        np.testing.assert_allclose(actual[key], value, rtol=1e-6, atol=1e-9, err_msg=key)


def test_relu_derivative_at_zero_is_zero(nyu: ModuleType) -> None:
    params = {"W1": np.zeros((3, 2)), "b1": [0.0, 1.0, -1.0], "W2": np.ones((1, 3)), "b2": [0.0]}
    jac = nyu.jacobians([1.0, 2.0], [0.5], params, "relu", "relu", "mse")
    np.testing.assert_array_equal(jac["dz2_dz1"], np.diag([0.0, 1.0, 0.0]))


@pytest.mark.parametrize(
    "call",
    [
        lambda nyu, p: nyu.forward_pass([1.0], p, "tanh", "identity"),
        lambda nyu, p: nyu.forward_pass([1.0], p, "relu", "softmax"),
        lambda nyu, p: nyu.loss_value([0.5], [1.0], "mae"),
        lambda nyu, p: nyu.param_grads([1.0], [1.0], p, "relu", "identity", "hinge"),
        lambda nyu, p: nyu.jacobians([1.0], [1.0], p, "relu", "identity", "hinge"),
    ],
)
def test_unknown_names_raise(nyu: ModuleType, call: Callable) -> None:
    params = {"W1": [[1.0]], "b1": [0.0], "W2": [[1.0]], "b2": [0.0]}
    with pytest.raises(ValueError):
        call(nyu, params)


def test_training_steps(nyu: ModuleType) -> None:
    assert nyu.ASSIGNMENT == "nyu-hw1"
    steps = nyu.TRAINING_STEPS
    assert sorted(steps) == sorted(STEPS)
    required = {("forward", "loss"), ("loss", "backward"), ("backward", "step")}
    assert required | {("zero_grad", "backward")} == set(nyu.TRAINING_STEPS_CONSTRAINTS)
    for before, after in nyu.TRAINING_STEPS_CONSTRAINTS:
        assert steps.index(before) < steps.index(after)


def test_texts(nyu: ModuleType) -> None:
    for text in (nyu.TRAINING_STEPS_NOTES, nyu.RELU_BENEFIT):
        assert isinstance(text, str) and text.strip()


def test_mlp_reference_uses_no_automatic_differentiation() -> None:
    source = (Path(__file__).parents[2] / "solutions" / "nyu_hw1_mlp.py").read_text()
    for banned in (".backward(", "autograd", "requires_grad"):
        assert banned not in source


def _torch_reference(
    torch: ModuleType, x: np.ndarray, y: np.ndarray, params: dict, fgl: tuple
) -> dict:
    """Return the loss, the parameter gradients and the Jacobians computed by torch autograd."""
    f, g, loss = fgl
    act = {"relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda z: z * 1.0}
    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    target = torch.tensor(y)

    def loss_of(y_hat: "torch.Tensor") -> "torch.Tensor":
        if loss == "mse":
            return ((y_hat - target) ** 2).sum()
        return torch.nn.functional.binary_cross_entropy(y_hat, target)

    z1 = leaves["W1"] @ torch.tensor(x) + leaves["b1"]
    z3 = leaves["W2"] @ act[f](z1) + leaves["b2"]
    value = loss_of(act[g](z3))
    value.backward()
    jacobian = torch.autograd.functional.jacobian
    return {
        "loss": value.item(),
        "grads": {name: leaf.grad.numpy() for name, leaf in leaves.items()},
        "dz2_dz1": jacobian(act[f], z1.detach()).numpy(),
        "dyhat_dz3": jacobian(act[g], z3.detach()).numpy(),
        "dl_dyhat": jacobian(loss_of, act[g](z3.detach())).numpy()[np.newaxis, :],
    }


@pytest.mark.torch
@pytest.mark.parametrize(("f", "g", "loss"), CASES)
def test_theory_matches_torch_autograd(nyu: ModuleType, f: str, g: str, loss: str) -> None:
    torch = pytest.importorskip("torch")
    x, y, params = _problem(3, 4, 2, 11, loss)
    expected = _torch_reference(torch, x, y, params, (f, g, loss))
    y_hat = nyu.forward_pass(x, params, f, g)["y_hat"]
    assert nyu.loss_value(y_hat, y, loss) == pytest.approx(expected["loss"], rel=1e-12)
    grads = nyu.param_grads(x, y, params, f, g, loss)
    for name, value in expected["grads"].items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-10, atol=1e-12, err_msg=name)
    jac = nyu.jacobians(x, y, params, f, g, loss)
    for key in ("dz2_dz1", "dyhat_dz3", "dl_dyhat"):
        np.testing.assert_allclose(jac[key], expected[key], rtol=1e-10, atol=1e-12, err_msg=key)
