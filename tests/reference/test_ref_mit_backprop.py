"""Check the mit-backprop reference against finite differences and the course's published answers."""

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

NumericGrad = Callable[..., np.ndarray]
Elementwise = Callable[[np.ndarray], np.ndarray]

SIMPLE_NET = {"x": 3.0, "t": 1.0, "w1": 0.01, "w2": -5.0, "b": -1.0}
PUBLISHED_GRADS = (2.081, -0.004, -0.139)

# name -> (f, f'), written here independently of the reference.
ACTIVATIONS: dict[str, tuple[Elementwise, Elementwise]] = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "softplus": (lambda z: np.log1p(np.exp(z)), lambda z: 1 / (1 + np.exp(-z))),
}
# (units in layer l, units in layer l + 1, seed)
LAYERS = [(1, 1, 0), (3, 2, 1), (4, 5, 2), (6, 1, 3), (2, 7, 4)]


def _layer(n: int, n_next: int, seed: int) -> dict[str, np.ndarray]:
    """Return a seeded z (layer l), W_next, b_next and delta_next (layer l + 1)."""
    rng = np.random.default_rng(seed)
    return {
        "z": rng.normal(size=n),
        "W_next": rng.normal(size=(n_next, n)),
        "b_next": rng.normal(size=n_next),
        "delta_next": rng.normal(size=n_next),
    }


def _simple_net_loss(p: np.ndarray, x: float, t: float) -> float:
    """Return C for the parameters p = (w1, w2, b), written independently of the reference."""
    a1 = max(p[0] * x, 0.0)
    y = 1.0 / (1.0 + np.exp(-(p[1] * a1 + p[2])))
    return 0.5 * (y - t) ** 2


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("n", "seed"), [(1, 0), (3, 1), (6, 2)])
def test_delta_last_matches_finite_differences(
    mit: ModuleType, numeric_grad: NumericGrad, activation: str, n: int, seed: int
) -> None:
    f, f_prime = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    z, t = rng.normal(size=n), rng.normal(size=n)
    expected = numeric_grad(lambda v: 0.5 * np.sum((f(v) - t) ** 2), z)
    actual = mit.delta_last(f(z) - t, z, f_prime)
    assert actual.shape == (n,)
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize(("n", "n_next", "seed"), LAYERS)
def test_delta_hidden_matches_finite_differences(
    mit: ModuleType, numeric_grad: NumericGrad, activation: str, n: int, n_next: int, seed: int
) -> None:
    f, f_prime = ACTIVATIONS[activation]
    p = _layer(n, n_next, seed)

    def cost(z: np.ndarray) -> float:
        return float(np.sum(p["delta_next"] * (p["W_next"] @ f(z) + p["b_next"])))

    expected = numeric_grad(cost, p["z"])
    actual = mit.delta_hidden(p["W_next"], p["delta_next"], p["z"], f_prime)
    assert actual.shape == (n,)
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("n_prev", "n", "seed"), LAYERS)
def test_dC_dw_and_dC_db_match_finite_differences(
    mit: ModuleType, numeric_grad: NumericGrad, n_prev: int, n: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    a_prev, delta = rng.normal(size=n_prev), rng.normal(size=n)
    W, b = rng.normal(size=(n, n_prev)), rng.normal(size=n)
    # With delta = dC/dz fixed, C is linear in z = W a_prev + b.
    expected_w = numeric_grad(lambda w: np.sum(delta * (w @ a_prev + b)), W)
    expected_b = numeric_grad(lambda v: np.sum(delta * (W @ a_prev + v)), b)
    actual_w, actual_b = mit.dC_dw(a_prev, delta), mit.dC_db(delta)
    assert actual_w.shape == (n, n_prev) and actual_b.shape == (n,)
    np.testing.assert_allclose(actual_w, expected_w, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(actual_b, expected_b, rtol=1e-7, atol=1e-9)


def test_dC_db_returns_a_float_copy(mit: ModuleType) -> None:
    delta = np.array([1, -2, 3])
    result = mit.dC_db(delta)
    assert result.dtype == np.float64 and not np.shares_memory(result, delta)
    np.testing.assert_array_equal(result, [1.0, -2.0, 3.0])


def test_choices_and_relu_derivatives(mit: ModuleType, numeric_grad: NumericGrad) -> None:
    assert mit.ASSIGNMENT == "mit-backprop"
    assert type(mit.DELTA_HIDDEN_CHOICE) is int and mit.DELTA_HIDDEN_CHOICE == 0
    assert mit.SIGMOID_PRIME_LARGE_Z == "becomes small"
    relu_slopes = numeric_grad(lambda z: np.maximum(z, 0.0), np.array([2.0, -2.0])).diagonal()
    np.testing.assert_allclose([mit.RELU_PRIME_POS, mit.RELU_PRIME_NEG], relu_slopes, atol=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_simple_net_grads_match_finite_differences(
    mit: ModuleType, numeric_grad: NumericGrad, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x, t = float(rng.normal(scale=2.0)), float(rng.uniform())
    p = rng.normal(size=3)
    expected = numeric_grad(lambda v: _simple_net_loss(v, x, t), p)
    actual = mit.simple_net_grads(x, t, *p)
    assert isinstance(actual, np.ndarray) and actual.shape == (3,)
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-10)
    assert mit.simple_net_loss(x, t, *p) == pytest.approx(_simple_net_loss(p, x, t), rel=1e-14)


def test_simple_net_homework_values(mit: ModuleType, numeric_grad: NumericGrad) -> None:
    x, t = SIMPLE_NET["x"], SIMPLE_NET["t"]
    p = np.array([SIMPLE_NET["w1"], SIMPLE_NET["w2"], SIMPLE_NET["b"]])
    assert mit.SIMPLE_NET_LOSS == pytest.approx(_simple_net_loss(p, x, t), rel=1e-14)
    expected = numeric_grad(lambda v: _simple_net_loss(v, x, t), p)
    np.testing.assert_allclose(mit.SIMPLE_NET_GRADS, expected, rtol=1e-6, atol=1e-10)
    assert tuple(round(float(g), 3) for g in mit.SIMPLE_NET_GRADS) == PUBLISHED_GRADS


def test_simple_net_relu_is_flat_below_zero(mit: ModuleType) -> None:
    grads = mit.simple_net_grads(3.0, 1.0, -0.2, -5.0, -1.0)
    assert grads[0] == 0.0 and grads[1] == 0.0 and grads[2] != 0.0


@pytest.mark.parametrize("shape", [(), (3,), (2, 4)])
def test_sgd_update(mit: ModuleType, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(len(shape))
    w, grad, eta = rng.normal(size=shape), rng.normal(size=shape), 0.3
    w_before = np.copy(w)
    result = mit.sgd_update(w, eta, grad)
    assert np.shape(result) == shape and not np.shares_memory(result, w)
    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_allclose(result, w_before - 0.3 * grad, rtol=1e-15)
