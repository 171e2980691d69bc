"""Check the nyu-hw1 `mlp.py` reference against torch autograd on an equivalent model."""

import itertools
from types import ModuleType
from typing import NamedTuple

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch

ACTIVATIONS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda z: z}
GRAD_NAMES = {"dJdW1": "W1", "dJdb1": "b1", "dJdW2": "W2", "dJdb2": "b2"}


class Config(NamedTuple):
    """One network and data set: sizes, activations, loss and seed."""

    n_in: int
    hidden: int
    n_out: int
    batch: int
    f: str
    g: str
    loss: str
    seed: int


COURSE_TESTS = [
    Config(2, 20, 5, 10, "relu", "identity", "mse", 1),
    Config(2, 20, 5, 10, "sigmoid", "sigmoid", "bce", 2),
    Config(2, 20, 22, 10, "relu", "relu", "mse", 3),
]
RANDOM_TESTS = [
    Config(3, 7, 4, 6, "identity", "relu", "mse", 10),
    Config(5, 3, 1, 1, "sigmoid", "identity", "mse", 11),
    Config(1, 9, 2, 17, "relu", "sigmoid", "bce", 12),
    Config(4, 12, 1, 8, "identity", "sigmoid", "bce", 13),
    Config(6, 2, 3, 5, "sigmoid", "relu", "mse", 14),
]
CONFIGS = COURSE_TESTS + RANDOM_TESTS
DTYPES = [torch.float64, torch.float32]


class Run(NamedTuple):
    """What one forward, loss and backward pass produced."""

    y_hat: "torch.Tensor"
    J: "torch.Tensor"
    dJdy_hat: "torch.Tensor"
    grads: dict


def _data(config: Config, dtype: "torch.dtype") -> tuple[dict, "torch.Tensor", "torch.Tensor"]:
    """Return seeded parameters, inputs and labels; BCE labels are 0/1 as in the course tests."""
    gen = torch.Generator().manual_seed(config.seed)
    shapes = {
        "W1": (config.hidden, config.n_in),
        "b1": (config.hidden,),
        "W2": (config.n_out, config.hidden),
        "b2": (config.n_out,),
    }
    params = {k: torch.randn(s, generator=gen, dtype=dtype) for k, s in shapes.items()}
    x = torch.randn(config.batch, config.n_in, generator=gen, dtype=dtype)
    y = torch.randn(config.batch, config.n_out, generator=gen, dtype=dtype)
    if config.loss == "bce":
        y = (y < 0.5).to(dtype)
    return params, x, y


def _autograd_run(config: Config, params: dict, x: "torch.Tensor", y: "torch.Tensor") -> Run:
    """Run the equivalent model with torch.nn.functional and autograd."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    z2 = ACTIVATIONS[config.f](F.linear(x, leaves["W1"], leaves["b1"]))
    y_hat = ACTIVATIONS[config.g](F.linear(z2, leaves["W2"], leaves["b2"]))
    y_hat.retain_grad()
    J = F.mse_loss(y_hat, y) if config.loss == "mse" else torch.nn.BCELoss()(y_hat, y)
    J.backward()
    grads = {name: leaves[key].grad for name, key in GRAD_NAMES.items()}
    return Run(y_hat.detach(), J.detach(), y_hat.grad, grads)


def _reference_run(mlp: ModuleType, config: Config, params: dict, x, y) -> Run:
    """Run the reference MLP and loss on the same parameters and data."""
    net = mlp.MLP(config.n_in, config.hidden, config.f, config.hidden, config.n_out, config.g)
    net.parameters.update({k: v.clone() for k, v in params.items()})
    net.clear_grad_and_cache()
    y_hat = net.forward(x)
    loss_fn = mlp.mse_loss if config.loss == "mse" else mlp.bce_loss
    J, dJdy_hat = loss_fn(y, y_hat)
    net.backward(dJdy_hat)
    return Run(y_hat, J, dJdy_hat, dict(net.grads))


def _assert_close(actual: "torch.Tensor", expected: "torch.Tensor", name: str) -> None:
    """Apply the tight float64 tolerance, or the course's norm criterion in float32."""
    assert actual.shape == expected.shape, name
    assert actual.dtype == expected.dtype, name
    if expected.dtype == torch.float64:
        torch.testing.assert_close(actual, expected, rtol=1e-10, atol=1e-10, msg=name)
    else:
        assert (actual - expected).norm() < 1e-3, name


def _compare(config: Config, dtype: "torch.dtype", mlp: ModuleType) -> None:
    """Run both models on one configuration and compare every tensor."""
    params, x, y = _data(config, dtype)
    expected = _autograd_run(config, params, x, y)
    actual = _reference_run(mlp, config, params, x, y)
    for name in ("y_hat", "J", "dJdy_hat"):
        _assert_close(getattr(actual, name), getattr(expected, name), name)
    assert set(actual.grads) == set(GRAD_NAMES)
    for name, value in expected.grads.items():
        _assert_close(actual.grads[name], value, name)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_matches_autograd(nyu_mlp: ModuleType, config: Config, dtype: "torch.dtype") -> None:
    _compare(config, dtype, nyu_mlp)


@pytest.mark.parametrize(("f", "g"), list(itertools.product(ACTIVATIONS, repeat=2)))
def test_every_activation_pair(nyu_mlp: ModuleType, f: str, g: str) -> None:
    _compare(Config(3, 6, 4, 5, f, g, "mse", 20), torch.float64, nyu_mlp)


def test_default_parameters_and_grads(nyu_mlp: ModuleType) -> None:
    net = nyu_mlp.MLP(2, 20, "relu", 20, 5, "identity")
    shapes = {"W1": (20, 2), "b1": (20,), "W2": (5, 20), "b2": (5,)}
    assert {k: tuple(v.shape) for k, v in net.parameters.items()} == shapes
    for name, key in GRAD_NAMES.items():
        assert tuple(net.grads[name].shape) == shapes[key]
        assert torch.count_nonzero(net.grads[name]) == 0
    assert net.cache == {}


def test_clear_grad_and_cache(nyu_mlp: ModuleType) -> None:
    config = COURSE_TESTS[0]
    params, x, y = _data(config, torch.float64)
    net = nyu_mlp.MLP(config.n_in, config.hidden, config.f, config.hidden, config.n_out, config.g)
    net.parameters.update(params)
    net.backward(nyu_mlp.mse_loss(y, net.forward(x))[1])
    assert net.cache and all(torch.count_nonzero(g) > 0 for g in net.grads.values())
    tensors = dict(net.grads)
    net.clear_grad_and_cache()
    for name, grad in net.grads.items():
        assert grad is tensors[name], "grads must be zeroed in place"
        assert torch.count_nonzero(grad) == 0
    assert not net.cache


def _leaf_loss(kind: str, y: "torch.Tensor", y_hat: "torch.Tensor") -> tuple:
    """Return torch's loss value and its gradient with respect to y_hat."""
    leaf = y_hat.clone().requires_grad_(True)
    J = F.mse_loss(leaf, y) if kind == "mse" else torch.nn.BCELoss()(leaf, y)
    J.backward()
    return J.detach(), leaf.grad


@pytest.mark.parametrize("kind", ["mse", "bce"])
@pytest.mark.parametrize(("batch", "K", "seed"), [(1, 1, 0), (10, 5, 1), (3, 1, 2), (4, 7, 3)])
def test_losses_match_torch(nyu_mlp: ModuleType, kind: str, batch: int, K: int, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    y_hat = torch.rand(batch, K, generator=gen, dtype=torch.float64) * 0.98 + 0.01
    y = torch.rand(batch, K, generator=gen, dtype=torch.float64)
    expected = _leaf_loss(kind, y, y_hat)
    actual = getattr(nyu_mlp, f"{kind}_loss")(y, y_hat)
    torch.testing.assert_close(actual[0], expected[0], rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(actual[1], expected[1], rtol=1e-12, atol=1e-14)


def test_bce_clamps_like_torch(nyu_mlp: ModuleType) -> None:
    y_hat = torch.tensor([[0.0, 1.0, 1e-60, 0.3]], dtype=torch.float64)
    y = torch.tensor([[1.0, 0.0, 1.0, 1.0]], dtype=torch.float64)
    expected = _leaf_loss("bce", y, y_hat)
    actual = nyu_mlp.bce_loss(y, y_hat)
    assert torch.isfinite(actual[0]) and torch.all(torch.isfinite(actual[1]))
    torch.testing.assert_close(actual[0], expected[0], rtol=1e-12, atol=0.0)
    torch.testing.assert_close(actual[1], expected[1], rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("kind", ["mse", "bce"])
@pytest.mark.parametrize(("batch", "K"), [(10, 5), (4, 22), (10, 1), (1, 1)])
def test_batch_only_alternates(nyu_mlp: ModuleType, kind: str, batch: int, K: int) -> None:
    gen = torch.Generator().manual_seed(batch * 100 + K)
    y_hat = torch.rand(batch, K, generator=gen, dtype=torch.float64) * 0.98 + 0.01
    y = (torch.rand(batch, K, generator=gen, dtype=torch.float64) < 0.5).to(torch.float64)
    J, dJ = getattr(nyu_mlp, f"{kind}_loss")(y, y_hat)
    J_bug, dJ_bug = getattr(nyu_mlp, f"{kind}_loss_batch_only")(y, y_hat)
    # Dividing by the batch only is K times the mean over batch x outputs.
    torch.testing.assert_close(J_bug, K * J, rtol=1e-12, atol=0.0)
    torch.testing.assert_close(dJ_bug, K * dJ, rtol=1e-12, atol=0.0)
    assert torch.allclose(J_bug, J) == (K == 1)
