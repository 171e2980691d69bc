"""`grader solve` prints answers that an independent computation reproduces to 1e-9."""

from __future__ import annotations

import json
import math

import numpy as np

from tests.conftest import run_grader


def solve(assignment: str) -> dict[str, dict[str, object]]:
    done = run_grader("solve", assignment, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_mit_simple_network_by_hand() -> None:
    answers = solve("mit-backprop")["simple-network"]
    x, t, w1, w2, b = 3.0, 1.0, 0.01, -5.0, -1.0
    a1 = max(w1 * x, 0.0)
    y = sigmoid(w2 * a1 + b)
    delta = (y - t) * y * (1 - y)
    assert abs(answers["SIMPLE_NET_LOSS"] - 0.5 * (y - t) ** 2) < 1e-9
    assert np.allclose(answers["SIMPLE_NET_GRADS"], [delta * w2 * x, delta * a1, delta], rtol=0, atol=1e-9)
    assert [round(g, 3) for g in answers["SIMPLE_NET_GRADS"]] == [2.081, -0.004, -0.139]


def test_jhu_q1b_by_hand() -> None:
    W = np.array([[0.3, 0.5], [-0.2, 0.4]])
    X = np.array([[0.0, 2.0], [3.0, 1.0]])
    Y = np.array([[0.5, 1.0], [1.0, -1.5]])
    loss = lambda w: float(np.sum((Y - w.reshape(2, 2) @ X) ** 2))  # noqa: E731
    eps = 1e-6
    grad = np.array([(loss(W.ravel() + eps * e) - loss(W.ravel() - eps * e)) / (2 * eps) for e in np.eye(4)])
    expected = W - 0.1 * grad.reshape(2, 2)
    got = np.array(solve("jhu-hw3")["q1b"]["Q1B_W_NEW"])
    assert np.allclose(got, expected, rtol=0, atol=1e-8)
    assert np.allclose(got, [[0.26, -0.12], [-0.8, -0.02]], rtol=0, atol=1e-9)


def test_jhu_q2_by_finite_differences() -> None:
    answers = solve("jhu-hw3")

    def classification(w: np.ndarray) -> float:
        y_hat = sigmoid(w[2] * sigmoid(w[1] * sigmoid(w[0] * 0.63)))
        return -math.log(y_hat)

    def regression(w: np.ndarray) -> float:
        return (w[2] * sigmoid(w[1] * sigmoid(w[0] * 0.63)) - 128.0) ** 2

    w = np.array([0.25, -0.11, 0.78])
    for loss, name, question in ((classification, "Q2B_GRADS", "q2b"), (regression, "Q2D_GRADS", "q2d")):
        fd = [(loss(w + 1e-6 * e) - loss(w - 1e-6 * e)) / 2e-6 for e in np.eye(3)]
        assert np.allclose(answers[question][name], fd, rtol=1e-6, atol=1e-7)
    assert answers["q2b"]["Q2B_GRADS"][0] > 0  # HOMEWORK.md: positive, because w2 < 0
    assert answers["q2b"]["Q2B_TREND"] == "vanishing" and answers["q2d"]["Q2D_TREND"] == "exploding"


def test_nyu_order_and_table_format() -> None:
    steps = solve("nyu-hw1")["1.2a"]["TRAINING_STEPS"]
    assert steps.index("forward") < steps.index("loss") < steps.index("backward") < steps.index("step")
    assert steps.index("zero_grad") < steps.index("backward")
    table = run_grader("solve", "mit-backprop")
    assert table.returncode == 0 and "SIMPLE_NET_GRADS" in table.stdout
