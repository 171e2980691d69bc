"""Reference solution for MITx 6.86x, Unit 3 homework, pages 1, 2 and 4.

Page 3, "Backpropagation", is the assignment mit-backprop, whose reference the engine reuses.
Loaded by file path from the trusted grader process.
"""

import math

import numpy as np
from numpy.typing import ArrayLike

ASSIGNMENT = "mit-unit3"

# ---------------------------------------------------------------------------------------------
# Page 1: Neural Networks
# ---------------------------------------------------------------------------------------------

# One row per hidden unit j: (W_1j, W_2j, W_0j).
_W = np.array([[1, 0, -1], [0, 1, -1], [-1, 0, -1], [0, -1, -1]], dtype=float)
# One row per output unit k: (V_1k, V_2k, V_3k, V_4k, V_0k).
_V = np.array([[1, 1, 1, 1, 0], [-1, -1, -1, -1, 2]], dtype=float)
_FEED_FORWARD_X = (3.0, 14.0)
# o2 must stay at or above this on the page's temperature question.
_O2_FLOOR = 1 / 1000


def _relu(v: np.ndarray) -> np.ndarray:
    """Return max(v, 0) elementwise."""
    return np.maximum(v, 0.0)


def _softmax(v: np.ndarray, beta: float) -> np.ndarray:
    """Return the softmax of beta * v, shifted by its maximum so that no exp overflows."""
    scaled = beta * v
    e = np.exp(scaled - scaled.max())
    return e / e.sum()


def _hidden(x: np.ndarray) -> np.ndarray:
    """Return the hidden activations f(z_1), ..., f(z_4) at the input x = (x1, x2)."""
    return _relu(_W[:, :2] @ x + _W[:, 2])


def _output(hidden: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """Return (o1, o2) given the hidden activations f(z_1), ..., f(z_4)."""
    return _softmax(_relu(_V[:, :4] @ hidden + _V[:, 4]), beta)


def feed_forward(x: ArrayLike) -> np.ndarray:
    """Return the network's output (o1, o2) at the input x = (x1, x2), with beta = 1."""
    x = np.asarray(x, dtype=float)
    if x.shape != (2,):
        raise ValueError(f"x has shape {x.shape}, expected (2,)")
    return _output(_hidden(x))


FEED_FORWARD_O = feed_forward(_FEED_FORWARD_X)


def _clip(polygon: list[np.ndarray], a: np.ndarray, b: float) -> list[np.ndarray]:
    """Return the part of a convex polygon where a . p + b <= 0 (Sutherland-Hodgman)."""
    clipped = []
    for start, end in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        s, e = a @ start + b, a @ end + b
        if s <= 0:
            clipped.append(start)
        if (s < 0 < e) or (e < 0 < s):
            clipped.append(start + (end - start) * s / (s - e))
    return clipped


def _polygon_area(polygon: list[np.ndarray]) -> float:
    """Return the area of a polygon by the shoelace formula."""
    if len(polygon) < 3:
        return 0.0
    xs, ys = np.array(polygon).T
    return 0.5 * abs(float(xs @ np.roll(ys, -1) - ys @ np.roll(xs, -1)))


def _negative_region_area(box: float = 1e6) -> float:
    """Return the area where every z_j < 0, clipped to a square of half-side `box`."""
    polygon = [np.array(corner) for corner in ((-box, -box), (box, -box), (box, box), (-box, box))]
    for w1, w2, w0 in _W:
        polygon = _clip(polygon, np.array([w1, w2]), w0)
    return _polygon_area(polygon)


BOUNDARY_AREA = _negative_region_area()


def _o1_for_hidden_sum(total: float) -> float:
    """Return o1 when f(z_1) + ... + f(z_4) = total.

    Every V_jk of an output unit k is the same, so u_k depends on the hidden units only
    through their sum, and spreading `total` evenly over them is as good as any split.
    """
    return float(_output(np.full(4, total / 4))[0])


OUTPUT_O1 = np.array([_o1_for_hidden_sum(total) for total in (1.0, 0.0, 3.0)])


def _max_gap(beta: float) -> float:
    """Return the largest f(u1) - f(u2) with o2 = 1 / (1 + e^(beta gap)) >= the floor."""
    return math.log(1 / _O2_FLOOR - 1) / beta


MAX_GAP_BETA1 = _max_gap(1.0)
MAX_GAP_BETA3 = _max_gap(3.0)
BETA_EFFECT = "smaller" if MAX_GAP_BETA3 < MAX_GAP_BETA1 else "larger"

# ---------------------------------------------------------------------------------------------
# Page 2: LSTM
# ---------------------------------------------------------------------------------------------

# (W^{g,h}, W^{g,x}, b_g) of the forget, input and output gates g and of the cell candidate c.
_LSTM = {
    "f": (0.0, 0.0, -100.0),
    "i": (0.0, 100.0, 100.0),
    "o": (0.0, 100.0, 0.0),
    "c": (-100.0, 50.0, 0.0),
}


def _page_sigmoid(v: float) -> float:
    """Return sigma(v) under the page's rule: 1 for v >= 1, 0 for v <= -1, exact in between."""
    if v >= 1:
        return 1.0
    if v <= -1:
        return 0.0
    return 1.0 / (1.0 + math.exp(-v))


def _page_tanh(v: float) -> float:
    """Return tanh(v) under the page's rule: 1 for v >= 1, -1 for v <= -1, exact in between."""
    if v >= 1:
        return 1.0
    if v <= -1:
        return -1.0
    return math.tanh(v)


def _round_half_to_zero(h: float) -> int:
    """Round to the nearest integer, with a tie such as +-0.5 rounded toward zero."""
    return int(math.copysign(math.ceil(abs(h) - 0.5), h))


def _pre_activation(unit: str, h_prev: float, x: float) -> float:
    """Return W^{unit,h} h_{t-1} + W^{unit,x} x_t + b_unit."""
    w_h, w_x, b = _LSTM[unit]
    return w_h * h_prev + w_x * x + b


def _lstm_step(h_prev: int, c_prev: float, x: float) -> tuple[int, float]:
    """Return the rounded h_t and the cell c_t after the input x_t."""
    forget, write, out = (_page_sigmoid(_pre_activation(g, h_prev, x)) for g in "fio")
    c = forget * c_prev + write * _page_tanh(_pre_activation("c", h_prev, x))
    return _round_half_to_zero(out * _page_tanh(c)), c


def lstm_states(xs: list[int]) -> np.ndarray:
    """Return the states h_0, ..., h_{T-1} for the inputs x_0, ..., x_{T-1}, from h = c = 0, as
    an int array (so that a student's list or array of the same integers compares equal)."""
    h, c = 0, 0.0
    states = []
    for x in xs:
        h, c = _lstm_step(h, c, float(x))
        states.append(h)
    return np.array(states, dtype=np.int64)


LSTM_STATES_1 = lstm_states([0, 0, 1, 1, 1, 0])
LSTM_STATES_2 = lstm_states([1, 1, 0, 1, 1])
# h_t is 0 after a 0, and after a 1 it flips between 1 and -1 along a run of ones, starting at 1:
# h_t = 1 exactly when the run of ones ending at t has odd length (option 0).
LSTM_INFO = 0

# ---------------------------------------------------------------------------------------------
# Page 4: Word Embeddings
# ---------------------------------------------------------------------------------------------

# The one-hot weights of words never seen in training are never updated, so the first network
# cannot classify the sequence (0); a pre-trained embedding places unseen words near similar
# seen ones, so the second has a fighting chance (2).
EMBEDDINGS_TRUE = [0, 2]
