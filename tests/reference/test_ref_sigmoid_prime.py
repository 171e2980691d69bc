"""Check both references' `sigmoid_prime` (jhu-hw3 q2a, mit-backprop activations)."""

from collections.abc import Callable

import numpy as np
import pytest

NumericGrad = Callable[..., np.ndarray]
Elementwise = Callable[..., np.ndarray]
EXTREMES = [-1000.0, -50.0, 0.0, 50.0, 1000.0]


@pytest.fixture(params=["jhu", "mit"])
def sigmoid_prime(request: pytest.FixtureRequest) -> Elementwise:
    """Return `sigmoid_prime` from each reference module that defines one."""
    return request.getfixturevalue(request.param).sigmoid_prime


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Return the plain logistic sigmoid, fine for the moderate z used with it."""
    return 1.0 / (1.0 + np.exp(-z))


def test_finite_without_warnings_at_extremes(sigmoid_prime: Elementwise) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = sigmoid_prime(np.array(EXTREMES))
        scalars = [sigmoid_prime(z) for z in EXTREMES]
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
    np.testing.assert_array_equal(values, np.array(scalars, dtype=float))
    assert values[2] == 0.25
    assert values[1] == pytest.approx(np.exp(-50.0), rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_matches_finite_differences(
    sigmoid_prime: Elementwise, numeric_grad: NumericGrad, seed: int
) -> None:
    z = np.random.default_rng(seed).uniform(-10.0, 10.0, size=(3, 4))
    expected = np.diagonal(numeric_grad(_sigmoid, z).reshape(12, 12)).reshape(3, 4)
    actual = sigmoid_prime(z)
    assert actual.shape == (3, 4)
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9)


def test_scalar_in_scalar_out(sigmoid_prime: Elementwise) -> None:
    value = sigmoid_prime(1.5)
    assert np.ndim(value) == 0 and np.asarray(value).dtype == np.float64
    assert float(value) == pytest.approx(_sigmoid(1.5) * (1 - _sigmoid(1.5)), rel=1e-14)


def test_symmetric(sigmoid_prime: Elementwise) -> None:
    z = np.linspace(-40.0, 40.0, 81)
    np.testing.assert_allclose(sigmoid_prime(z), sigmoid_prime(-z), rtol=1e-15)
