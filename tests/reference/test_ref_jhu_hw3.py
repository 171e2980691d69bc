"""Check the jhu-hw3 reference against finite differences and hand-written formulas."""

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest

NumericGrad = Callable[..., np.ndarray]

HOMEWORK_W = np.array([[0.3, 0.5], [-0.2, 0.4]])
HOMEWORK_X = np.array([[0.0, 2.0], [3.0, 1.0]])
HOMEWORK_Y = np.array([[0.5, 1.0], [1.0, -1.5]])
HOMEWORK_LR = 0.1
# Worked by hand: W X - Y = [[1, 0.1], [0.2, 1.5]], gradient 2 (W X - Y) X^T = [[0.4, 6.2], [6, 4.2]].
HOMEWORK_W_NEW = np.array([[0.26, -0.12], [-0.8, -0.02]])

Q2_WEIGHTS = (0.25, -0.11, 0.78)
Q2_X = 0.63

# (m, k, n, seed): W is m x k, X is k x n, Y and dL/dP are m x n.
SHAPES = [(1, 1, 1, 0), (2, 2, 2, 1), (2, 3, 4, 2), (5, 2, 7, 3), (3, 4, 1, 4), (4, 1, 3, 5)]
ALTERNATE_SCALES = [
    ("l2_step_mean", lambda n: 1.0 / n),
    ("l2_step_half", lambda n: 0.5),
    ("l2_step_mean_half", lambda n: 0.5 / n),
]


def _random_problem(m: int, k: int, n: int, seed: int) -> tuple[np.ndarray, ...]:
    """Return a seeded W (m x k), X (k x n), Y (m x n) and a step size."""
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(m, k)),
        rng.normal(size=(k, n)),
        rng.normal(size=(m, n)),
        float(rng.uniform(0.01, 0.5)),
    )


def _l2_loss(W: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
    """Return ||Y - W X||_F^2 with the columns as the samples."""
    return float(np.sum((Y - W @ X) ** 2))


def _sigmoid(z: float) -> float:
    """Return the plain logistic sigmoid, written independently of the solver."""
    return 1.0 / (1.0 + np.exp(-z))


def _classification_loss(w: np.ndarray, x: float, y: float) -> float:
    """Return the BCE loss of y_hat = s(w3 s(w2 s(w1 x)))."""
    y_hat = _sigmoid(w[2] * _sigmoid(w[1] * _sigmoid(w[0] * x)))
    return float(-(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat)))


def _regression_loss(w: np.ndarray, x: float, y: float) -> float:
    """Return (y_hat - y)^2 for y_hat = w3 s(w2 s(w1 x))."""
    return float((w[2] * _sigmoid(w[1] * _sigmoid(w[0] * x)) - y) ** 2)


def _random_sample(seed: int) -> tuple[np.ndarray, float, float]:
    """Return seeded weights, an input and a label in [0, 1]."""
    rng = np.random.default_rng(seed)
    return rng.normal(scale=1.5, size=3), float(rng.normal(scale=2.0)), float(rng.uniform())


# ---------------------------------------------------------------------------------------------
# q1a, q1b
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("m", "k", "n", "seed"), SHAPES)
def test_grad_W_matches_finite_differences(
    jhu: ModuleType, numeric_grad: NumericGrad, m: int, k: int, n: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    G, X, W = rng.normal(size=(m, n)), rng.normal(size=(k, n)), rng.normal(size=(m, k))
    expected = numeric_grad(lambda w: np.sum(G * (w @ X)), W)
    actual = jhu.grad_W(G, X)
    assert actual.shape == (m, k)
    np.testing.assert_allclose(actual, expected, rtol=1e-7, atol=1e-8)


def test_grad_W_accepts_lists(jhu: ModuleType) -> None:
    actual = jhu.grad_W([[1, 2]], [[3, 4], [5, 6], [7, 8]])
    assert actual.dtype == np.float64
    np.testing.assert_array_equal(actual, [[11.0, 17.0, 23.0]])


def test_derivation_is_text(jhu: ModuleType) -> None:
    assert isinstance(jhu.Q1A_DERIVATION, str) and "X^T" in jhu.Q1A_DERIVATION


@pytest.mark.parametrize(("m", "k", "n", "seed"), SHAPES)
def test_l2_step_matches_finite_differences(
    jhu: ModuleType, numeric_grad: NumericGrad, m: int, k: int, n: int, seed: int
) -> None:
    W, X, Y, lr = _random_problem(m, k, n, seed)
    expected = numeric_grad(lambda w: _l2_loss(w, X, Y), W)
    actual = (W - jhu.l2_step(W, X, Y, lr)) / lr
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-7)


def test_l2_step_leaves_inputs_alone(jhu: ModuleType) -> None:
    W, X, Y, lr = _random_problem(3, 2, 4, seed=7)
    copies = [W.copy(), X.copy(), Y.copy()]
    result = jhu.l2_step(W, X, Y, lr)
    for original, copy in zip([W, X, Y], copies, strict=True):
        np.testing.assert_array_equal(original, copy)
    assert not np.shares_memory(result, W)


def test_l2_step_accepts_lists(jhu: ModuleType) -> None:
    lists = (HOMEWORK_W.tolist(), HOMEWORK_X.tolist(), HOMEWORK_Y.tolist(), HOMEWORK_LR)
    np.testing.assert_allclose(jhu.l2_step(*lists), HOMEWORK_W_NEW, atol=1e-12)


def test_l2_step_rejects_a_wrong_label_shape(jhu: ModuleType) -> None:
    W, X, _, lr = _random_problem(2, 3, 4, seed=8)
    with pytest.raises(ValueError):
        jhu.l2_step(W, X, np.zeros((2, 1)), lr)


def test_q1b_matches_hand_computation(jhu: ModuleType, numeric_grad: NumericGrad) -> None:
    np.testing.assert_allclose(jhu.Q1B_W_NEW, HOMEWORK_W_NEW, atol=1e-12)
    expected = numeric_grad(lambda w: _l2_loss(w, HOMEWORK_X, HOMEWORK_Y), HOMEWORK_W)
    np.testing.assert_allclose((HOMEWORK_W - jhu.Q1B_W_NEW) / HOMEWORK_LR, expected, rtol=1e-6)


@pytest.mark.parametrize(("name", "scale"), ALTERNATE_SCALES)
@pytest.mark.parametrize(("m", "k", "n", "seed"), SHAPES)
def test_scaled_alternates_follow_their_definitions(
    jhu: ModuleType, name: str, scale: Callable[[int], float], m: int, k: int, n: int, seed: int
) -> None:
    W, X, Y, lr = _random_problem(m, k, n, seed)
    canonical = (W - jhu.l2_step(W, X, Y, lr)) / lr
    alternate = (W - getattr(jhu, name)(W, X, Y, lr)) / lr
    np.testing.assert_allclose(alternate, canonical * scale(n), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("m", "k", "n", "seed"), SHAPES)
def test_per_sample_alternate_matches_a_hand_loop(
    jhu: ModuleType, m: int, k: int, n: int, seed: int
) -> None:
    W, X, Y, lr = _random_problem(m, k, n, seed)
    expected = W.copy()
    for x, y in zip(X.T, Y.T, strict=True):
        expected = expected - lr * 2.0 * np.outer(expected @ x - y, x)
    np.testing.assert_allclose(jhu.l2_step_per_sample(W, X, Y, lr), expected, rtol=1e-12)


@pytest.mark.parametrize(("m", "k", "n", "seed"), SHAPES)
def test_rows_alternate_matches_finite_differences(
    jhu: ModuleType, numeric_grad: NumericGrad, m: int, k: int, n: int, seed: int
) -> None:
    W, X_rows, Y_rows, lr = _random_problem(m, k, n, seed)
    X, Y = X_rows.T, Y_rows.T  # n x k and n x m: one sample per row

    def rows_loss(w: np.ndarray) -> float:
        return float(sum(np.sum((Y[i] - w @ X[i]) ** 2) for i in range(n)))

    expected = numeric_grad(rows_loss, W)
    np.testing.assert_allclose((W - jhu.l2_step_rows(W, X, Y, lr)) / lr, expected, rtol=1e-6)


def test_rows_alternate_rejects_impossible_shapes(jhu: ModuleType) -> None:
    W, X, Y, lr = _random_problem(2, 3, 4, seed=9)
    with pytest.raises(ValueError):
        jhu.l2_step_rows(W, X, Y, lr)


def test_q1b_alternate_constants(jhu: ModuleType) -> None:
    hw = (HOMEWORK_W, HOMEWORK_X, HOMEWORK_Y, HOMEWORK_LR)
    step = HOMEWORK_W - HOMEWORK_W_NEW
    np.testing.assert_allclose(jhu.Q1B_W_NEW_MEAN, HOMEWORK_W - step / 2, atol=1e-12)
    np.testing.assert_allclose(jhu.Q1B_W_NEW_MEAN, jhu.l2_step_half(*hw), atol=1e-12)
    np.testing.assert_allclose(jhu.Q1B_W_NEW_MEAN_HALF, HOMEWORK_W - step / 4, atol=1e-12)
    np.testing.assert_allclose(jhu.Q1B_W_NEW_PER_SAMPLE, jhu.l2_step_per_sample(*hw), atol=0)
    np.testing.assert_allclose(jhu.Q1B_W_NEW_ROWS, jhu.l2_step_rows(*hw), atol=0)
    for alternate in (jhu.Q1B_W_NEW_MEAN, jhu.Q1B_W_NEW_PER_SAMPLE, jhu.Q1B_W_NEW_ROWS):
        assert alternate.shape == (2, 2)
        assert not np.allclose(alternate, HOMEWORK_W_NEW, atol=5e-4)


# ---------------------------------------------------------------------------------------------
# q2a
# ---------------------------------------------------------------------------------------------


def test_q2a_extrema(jhu: ModuleType) -> None:
    grid = np.linspace(-60.0, 60.0, 120_001)
    values = jhu.sigmoid_prime(grid)
    assert (jhu.Q2A_MAX, jhu.Q2A_ARGMAX) == (0.25, 0.0)
    assert values.max() == pytest.approx(jhu.Q2A_MAX, abs=1e-15)
    assert grid[np.argmax(values)] == pytest.approx(jhu.Q2A_ARGMAX, abs=1e-12)
    assert jhu.Q2A_INF == 0.0 and values.min() < 1e-20
    assert jhu.Q2A_INF_ATTAINED is False


# ---------------------------------------------------------------------------------------------
# q2b, q2c, q2d
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_classification_grads_match_finite_differences(
    jhu: ModuleType, numeric_grad: NumericGrad, seed: int
) -> None:
    w, x, y = _random_sample(seed)
    expected = numeric_grad(lambda v: _classification_loss(v, x, y), w)
    actual = jhu.classification_grads(*w, x, y)
    assert isinstance(actual, np.ndarray) and actual.shape == (3,)
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_regression_grads_match_finite_differences(
    jhu: ModuleType, numeric_grad: NumericGrad, seed: int
) -> None:
    w, x, _ = _random_sample(seed)
    y = float(np.random.default_rng(seed).normal(scale=50.0))
    expected = numeric_grad(lambda v: _regression_loss(v, x, y), w)
    actual = jhu.regression_grads(*w, x, y)
    assert isinstance(actual, np.ndarray) and actual.shape == (3,)
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


def test_classification_grads_are_stable(jhu: ModuleType) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        grads = jhu.classification_grads(30.0, -40.0, 60.0, 25.0, 1.0)
    assert np.all(np.isfinite(grads))


def test_q2b_values_and_trend(jhu: ModuleType, numeric_grad: NumericGrad) -> None:
    expected = numeric_grad(lambda v: _classification_loss(v, Q2_X, 1.0), np.array(Q2_WEIGHTS))
    np.testing.assert_allclose(jhu.Q2B_GRADS, expected, rtol=1e-6, atol=1e-10)
    assert jhu.Q2B_GRADS[0] > 0  # w2 < 0 flips the sign, as HOMEWORK.md says
    magnitudes = np.abs(jhu.Q2B_GRADS)
    assert magnitudes[0] < magnitudes[1] < magnitudes[2] < 1
    np.testing.assert_array_equal(jhu.Q2B_GRADS_SIGN_FLIPPED, -jhu.Q2B_GRADS)
    assert jhu.Q2B_TREND == "vanishing"


def test_q2d_values_and_trend(jhu: ModuleType, numeric_grad: NumericGrad) -> None:
    expected = numeric_grad(lambda v: _regression_loss(v, Q2_X, 128.0), np.array(Q2_WEIGHTS))
    np.testing.assert_allclose(jhu.Q2D_GRADS, expected, rtol=1e-6, atol=1e-6)
    magnitudes = np.abs(jhu.Q2D_GRADS)
    # The large residual makes these huge next to q2b, though they still shrink toward w1.
    assert magnitudes.max() > 100 and magnitudes[1] > 1
    assert np.all(magnitudes > 100 * np.abs(jhu.Q2B_GRADS))
    assert magnitudes[0] < magnitudes[1] < magnitudes[2]
    np.testing.assert_array_equal(jhu.Q2D_GRADS_SIGN_FLIPPED, -jhu.Q2D_GRADS)
    assert (jhu.Q2D_TREND, jhu.Q2D_TREND_MISREAD) == ("exploding", "vanishing")


def test_names_and_texts(jhu: ModuleType) -> None:
    assert jhu.ASSIGNMENT == "jhu-hw3"
    assert isinstance(jhu.Q2_NOTES, str) and jhu.Q2_NOTES.strip()
