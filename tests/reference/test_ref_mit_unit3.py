"""Check the mit-unit3 reference (pages 1, 2 and 4) against hand computations and the course.

Page 3 is mit-backprop's reference, checked in test_ref_mit_backprop.py.
"""

import importlib.util
import itertools
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

SOLUTION = Path(__file__).parents[2] / "solutions" / "mit_unit3.py"

# The page's published states for its two input sequences.
PUBLISHED_STATES = [
    ([0, 0, 1, 1, 1, 0], [0, 0, 1, -1, 1, 0]),
    ([1, 1, 0, 1, 1], [1, -1, 0, 1, -1]),
]
O2_FLOOR = 1 / 1000


@pytest.fixture(scope="module")
def unit3() -> ModuleType:
    """Return the mit-unit3 reference module, loaded by file path as the grader does."""
    spec = importlib.util.spec_from_file_location("reference_solution_mit_unit3", SOLUTION)
    assert spec is not None and spec.loader is not None, f"cannot load {SOLUTION}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------
# Page 1: Neural Networks, written out unit by unit from the page's W and V
# ---------------------------------------------------------------------------------------------


def _z(x1: float, x2: float) -> list[float]:
    """Return z_1..z_4 from the page's rows (W_1j, W_2j, W_0j)."""
    return [x1 - 1, x2 - 1, -x1 - 1, -x2 - 1]


def _u(fz: list[float]) -> list[float]:
    """Return u_1, u_2 from the page's rows (1, 1, 1, 1, 0) and (-1, -1, -1, -1, 2)."""
    total = sum(fz)
    return [total, -total + 2]


def _hand_output(x1: float, x2: float, beta: float = 1.0) -> list[float]:
    """Return (o1, o2), each softmax term written as 1 / (1 + e^(beta (f(u_other) - f(u_k))))."""
    fz = [max(v, 0.0) for v in _z(x1, x2)]
    fu1, fu2 = (max(v, 0.0) for v in _u(fz))
    return [1 / (1 + math.exp(beta * (fu2 - fu1))), 1 / (1 + math.exp(beta * (fu1 - fu2)))]


def _random_inputs(seed: int) -> np.ndarray:
    """Return ten seeded inputs x, small enough that the hand formulas cannot overflow."""
    return np.random.default_rng(seed).uniform(-8.0, 8.0, size=(10, 2))


def test_feed_forward_at_the_page_input(unit3: ModuleType) -> None:
    # z = (2, 13, -4, -15), f(z) = (2, 13, 0, 0), u = (15, -13), f(u) = (15, 0).
    assert _z(3, 14) == [2, 13, -4, -15]
    o1, o2 = math.exp(15) / (math.exp(15) + 1), 1 / (math.exp(15) + 1)
    actual = unit3.feed_forward(np.array([3.0, 14.0]))
    assert isinstance(actual, np.ndarray) and actual.shape == (2,)
    np.testing.assert_allclose(actual, [o1, o2], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(actual, _hand_output(3, 14), rtol=1e-12, atol=1e-15)


def test_feed_forward_o_constant(unit3: ModuleType) -> None:
    actual = np.asarray(unit3.FEED_FORWARD_O)
    assert actual.shape == (2,)
    assert abs(actual[0] - math.exp(15) / (math.exp(15) + 1)) <= 1e-12
    assert actual[1] == pytest.approx(3.06e-7, rel=2e-3)
    assert actual[1] == pytest.approx(1 / (1 + math.exp(15)), rel=1e-10)
    # The page asks for 9 decimals: these are the values a student rounds to.
    np.testing.assert_allclose(np.round(actual, 9), [0.999999694, 0.000000306], rtol=0, atol=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_feed_forward_random_inputs(unit3: ModuleType, seed: int) -> None:
    for x in _random_inputs(seed):
        actual = unit3.feed_forward(x)
        assert actual.shape == (2,)
        np.testing.assert_allclose(actual, _hand_output(*x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("x", [(1e4, -3e4), (-5e5, 2e5), (1e150, 1e150), (-1e8, -1e8)])
def test_feed_forward_is_stable_for_large_inputs(unit3: ModuleType, x: tuple) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        actual = unit3.feed_forward(np.array(x))
    assert np.all(np.isfinite(actual)) and actual.sum() == pytest.approx(1.0, abs=1e-12)
    # Far from the origin f(u1) is huge and f(u2) = 0, so o1 rounds to 1.
    assert actual[0] == pytest.approx(1.0, abs=1e-12)


def test_boundary_area_by_grid_counting(unit3: ModuleType) -> None:
    # Count the midpoints of a 0.01 grid over [-3, 3]^2 where every z_j < 0.
    ticks = np.arange(-3.0, 3.0, 0.01) + 0.005
    x1, x2 = np.meshgrid(ticks, ticks)
    inside = np.all(np.array(_z(x1, x2)) < 0, axis=0)
    counted = inside.sum() * 0.01**2
    assert not inside[0].any() and not inside[:, 0].any(), "the box must contain the region"
    assert unit3.BOUNDARY_AREA == pytest.approx(counted, abs=0.05)
    assert isinstance(unit3.BOUNDARY_AREA, float)


def test_output_o1_closed_forms(unit3: ModuleType) -> None:
    # Sum 1: f(u) = (1, 1); sum 0: f(u) = (0, 2); sum 3: f(u) = (3, 0).
    expected = [0.5, 1 / (1 + math.e**2), math.e**3 / (math.e**3 + 1)]
    actual = np.asarray(unit3.OUTPUT_O1)
    assert actual.shape == (3,)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("name", "beta"), [("MAX_GAP_BETA1", 1.0), ("MAX_GAP_BETA3", 3.0)])
def test_max_gap_is_where_o2_reaches_the_floor(unit3: ModuleType, name: str, beta: float) -> None:
    gap = getattr(unit3, name)
    assert isinstance(gap, float)

    def o2(g: float) -> float:
        return 1 / (1 + math.exp(beta * g))

    assert o2(gap) == pytest.approx(O2_FLOOR, rel=0, abs=1e-12)
    assert o2(gap + 1e-6) < O2_FLOOR
    assert gap == pytest.approx(math.log(999) / beta, rel=1e-14)


def test_beta_effect_matches_the_gaps(unit3: ModuleType) -> None:
    assert unit3.BETA_EFFECT in ("smaller", "larger")
    assert (unit3.BETA_EFFECT == "smaller") == (unit3.MAX_GAP_BETA3 < unit3.MAX_GAP_BETA1)
    assert unit3.BETA_EFFECT == "smaller"


# ---------------------------------------------------------------------------------------------
# Page 2: LSTM, simulated with the exact sigma and tanh
# ---------------------------------------------------------------------------------------------


def _sigma(v: float) -> float:
    return 1 / (1 + math.exp(-v))


def _exact_lstm(xs: list[int]) -> tuple[list[int], list[float]]:
    """Return the rounded states and the exact h_t before rounding, with exact sigma and tanh."""
    h, c = 0, 0.0
    rounded, exact = [], []
    for x in xs:
        f = _sigma(-100)
        i = _sigma(100 * x + 100)
        o = _sigma(100 * x)
        c = f * c + i * math.tanh(-100 * h + 50 * x)
        h_exact = o * math.tanh(c)
        h = round(h_exact)
        rounded.append(h)
        exact.append(h_exact)
    return rounded, exact


def _near_a_half(value: float) -> bool:
    """Whether value lies within 0.1 of a half-integer, where rounding could go either way."""
    return abs(value - math.floor(value) - 0.5) < 0.1


def _all_sequences(max_length: int) -> list[list[int]]:
    return [
        list(xs)
        for length in range(1, max_length + 1)
        for xs in itertools.product((0, 1), repeat=length)
    ]


# The page's shortcuts (sigma ~ 1, tanh ~ 1 and so on, and +-0.5 rounded to 0) can only change
# a rounded state when the exact h_t is close to a half-integer. On every other sequence, the
# exact simulation rounded to the nearest integer must give the page's states, so these are
# the ones compared.
CLEAR_SEQUENCES = [
    xs for xs in _all_sequences(8) if not any(_near_a_half(h) for h in _exact_lstm(xs)[1])
]


def test_the_clear_sequences_are_not_empty() -> None:
    assert len(CLEAR_SEQUENCES) >= 100


def test_lstm_states_match_the_exact_simulation(unit3: ModuleType) -> None:
    mismatches = [xs for xs in CLEAR_SEQUENCES if unit3.lstm_states(xs).tolist() != _exact_lstm(xs)[0]]
    assert mismatches == []


@pytest.mark.parametrize(("xs", "published"), PUBLISHED_STATES)
def test_lstm_states_on_the_page_sequences(
    unit3: ModuleType, xs: list[int], published: list[int]
) -> None:
    assert unit3.lstm_states(xs).tolist() == published


def test_lstm_state_constants(unit3: ModuleType) -> None:
    assert unit3.LSTM_STATES_1.tolist() == PUBLISHED_STATES[0][1]
    assert unit3.LSTM_STATES_2.tolist() == PUBLISHED_STATES[1][1]


@pytest.mark.parametrize(("length", "seed"), [(1, 0), (1, 1), (20, 2), (20, 3), (13, 4)])
def test_lstm_states_lengths_and_types(unit3: ModuleType, length: int, seed: int) -> None:
    xs = [int(v) for v in np.random.default_rng(seed).integers(0, 2, size=length)]
    actual = unit3.lstm_states(xs)
    assert isinstance(actual, np.ndarray) and actual.shape == (length,) and actual.dtype.kind == "i"
    assert actual.tolist() == _exact_lstm(xs)[0]


def test_lstm_states_do_not_change_the_input(unit3: ModuleType) -> None:
    xs = [1, 0, 1, 1]
    unit3.lstm_states(xs)
    assert xs == [1, 0, 1, 1]


def _odd_run_ending_at(xs: list[int], t: int) -> bool:
    """Whether the run of consecutive ones ending at position t has odd length."""
    run = 0
    while t - run >= 0 and xs[t - run] == 1:
        run += 1
    return run % 2 == 1


def test_lstm_info_option_0_holds_and_is_picked(unit3: ModuleType) -> None:
    for xs in _all_sequences(10):
        states, _ = _exact_lstm(xs)
        for t, h in enumerate(states):
            assert (h != 0) == (xs[t] == 1), (xs, t)
            assert (h == 1) == _odd_run_ending_at(xs, t), (xs, t)
    assert type(unit3.LSTM_INFO) is int and unit3.LSTM_INFO == 0


# ---------------------------------------------------------------------------------------------
# Page 4: Word Embeddings
# ---------------------------------------------------------------------------------------------


def test_embeddings_true(unit3: ModuleType) -> None:
    assert all(type(option) is int for option in unit3.EMBEDDINGS_TRUE)
    assert set(unit3.EMBEDDINGS_TRUE) == {0, 2}
    assert len(unit3.EMBEDDINGS_TRUE) == 2


def test_assignment(unit3: ModuleType) -> None:
    assert unit3.ASSIGNMENT == "mit-unit3"
