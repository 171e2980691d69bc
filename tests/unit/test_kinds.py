"""Parametrized tables for every answer kind: outcome and points for given values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from grader import values
from grader.harness.codec import encode
from grader.kinds.array import ArrayItem
from grader.kinds.base import Alternate, Observed, Outcome
from grader.kinds.choice import ChoiceItem
from grader.kinds.evidence import Evidence as _Evidence
from grader.kinds.evidence import Expected
from grader.kinds.flag import FlagItem
from grader.kinds.number import NumberItem
from grader.kinds.order import OrderItem
from grader.kinds.text import TextItem


def Evidence(observed: Observed, expected: values.Value | None = None,
             alternates: list[Any] | None = None, aux: dict[str, Any] | None = None) -> _Evidence:
    """The evidence of one item: the student's observation and the reference's side."""
    return _Evidence(expected=Expected(value=expected, alternates=alternates or [], aux=aux or {}), observed=observed)


def v(x: Any) -> values.Value:
    return values.decode(encode(x))


def seen(x: Any) -> Observed:
    return Observed("ok", value=v(x))


EXPECTED = np.array([0.00136364, -0.04271133, -0.19722521])


@pytest.mark.parametrize(("given", "outcome"), [
    (EXPECTED, Outcome.CORRECT),
    (EXPECTED.tolist(), Outcome.CORRECT),
    (tuple(EXPECTED), Outcome.CORRECT),
    ([0.001, -0.043, -0.197], Outcome.CORRECT),          # rounded to 3 decimals
    (EXPECTED.reshape(1, 3), Outcome.WRONG),               # (1, 3) must not pass a (3,) check
    (EXPECTED.reshape(3, 1), Outcome.WRONG),
    (EXPECTED[:2], Outcome.WRONG),
    (0.0013, Outcome.WRONG),                               # a scalar, not an array
    ([0.0, -0.043, -0.197], Outcome.WRONG),                # first entry off by more than atol
    ([np.nan, -0.043, -0.197], Outcome.WRONG),
    ([True, False, True], Outcome.WRONG),                  # bools are not numbers
    (np.array([True, False, True]), Outcome.WRONG),
    (["a", "b", "c"], Outcome.WRONG),
    (None, Outcome.MISSING),
    (-EXPECTED, Outcome.WRONG),
])
def test_array_item(given: Any, outcome: Outcome) -> None:
    item = ArrayItem(name="Q2B_GRADS", shape=[3])
    verdict = item.check(Evidence(observed=seen(given), expected=v(EXPECTED)))
    assert verdict.outcome == outcome
    assert verdict.fraction == (1.0 if outcome == Outcome.CORRECT else 0.0)


def test_array_feedback_never_shows_the_expected_value() -> None:
    item = ArrayItem(name="Q2B_GRADS", shape=[3])
    verdict = item.check(Evidence(observed=seen([0.5, 0.5, 0.5]), expected=v(EXPECTED)))
    text = " ".join(verdict.feedback)
    assert "0.0013" not in text and "0.0427" not in text and "0.197" not in text
    assert "Q2B_GRADS" in text and "tolerance" in text


def test_wrong_shape_feedback_names_both_shapes() -> None:
    item = ArrayItem(name="Q2B_GRADS", shape=[3])
    verdict = item.check(Evidence(observed=seen(EXPECTED.reshape(1, 3)), expected=v(EXPECTED)))
    assert "has shape (1, 3), expected (3,)" in " ".join(verdict.feedback)


@pytest.mark.parametrize(("given", "outcome"), [
    (0.25, Outcome.CORRECT), (0.2504, Outcome.CORRECT), (np.float32(0.25), Outcome.CORRECT),
    (np.float64(0.25), Outcome.CORRECT), (0.26, Outcome.WRONG), (True, Outcome.WRONG),
    ("0.25", Outcome.WRONG), (float("inf"), Outcome.WRONG), (None, Outcome.MISSING), ([0.25], Outcome.WRONG),
])
def test_number_item(given: Any, outcome: Outcome) -> None:
    verdict = NumberItem(name="Q2A_MAX").check(Evidence(observed=seen(given), expected=v(0.25)))
    assert verdict.outcome == outcome


def test_zero_is_not_false() -> None:
    verdict = NumberItem(name="RELU_PRIME_NEG").check(Evidence(observed=seen(False), expected=v(0.0)))
    assert verdict.outcome == Outcome.WRONG


def test_alternate_earns_its_credit_and_feedback() -> None:
    alternate = Alternate(name="mean", credit=0.5, feedback="averaged: half credit", reference="X")
    item = ArrayItem(name="Q1B_W_NEW", shape=[2, 2], alternates=[alternate])
    evidence = Evidence(observed=seen([[0.28, 0.19], [-0.5, 0.19]]), expected=v(np.array([[0.26, -0.12], [-0.8, -0.02]])),
                        alternates=[(alternate, v(np.array([[0.28, 0.19], [-0.5, 0.19]])))])
    verdict = item.check(evidence)
    assert (verdict.outcome, verdict.fraction, verdict.feedback) == (Outcome.PARTIAL, 0.5, ["averaged: half credit"])


@pytest.mark.parametrize(("given", "outcome"), [
    ("vanishing", Outcome.CORRECT), ("  Vanishing ", Outcome.CORRECT), ("VANISHING", Outcome.CORRECT),
    ("exploding", Outcome.WRONG), ("vanish", Outcome.WRONG), (0, Outcome.WRONG), (None, Outcome.MISSING),
])
def test_string_choice(given: Any, outcome: Outcome) -> None:
    item = ChoiceItem(name="Q2B_TREND", options=["vanishing", "exploding", "neither"])
    assert item.check(Evidence(observed=seen(given), expected=v("vanishing"))).outcome == outcome


@pytest.mark.parametrize(("given", "outcome"), [
    (0, Outcome.CORRECT), (np.int64(0), Outcome.CORRECT), (False, Outcome.WRONG), (2, Outcome.WRONG),
    (3, Outcome.WRONG), ("0", Outcome.WRONG), (0.0, Outcome.WRONG),
])
def test_index_choice(given: Any, outcome: Outcome) -> None:
    item = ChoiceItem(name="DELTA_HIDDEN_CHOICE", options=[0, 1, 2])
    assert item.check(Evidence(observed=seen(given), expected=v(0))).outcome == outcome


@pytest.mark.parametrize(("given", "outcome"), [
    (False, Outcome.CORRECT), (np.bool_(False), Outcome.CORRECT), (0, Outcome.WRONG), (True, Outcome.WRONG),
    ("False", Outcome.WRONG),
])
def test_flag(given: Any, outcome: Outcome) -> None:
    assert FlagItem(name="F").check(Evidence(observed=seen(given), expected=v(False))).outcome == outcome


CONSTRAINTS = [("forward", "loss"), ("loss", "backward"), ("backward", "step"), ("zero_grad", "backward")]


@pytest.mark.parametrize(("given", "outcome"), [
    (["zero_grad", "forward", "loss", "backward", "step"], Outcome.CORRECT),
    (["forward", "loss", "zero_grad", "backward", "step"], Outcome.CORRECT),
    (["forward", "zero_grad", "loss", "backward", "step"], Outcome.CORRECT),
    (["forward", "loss", "backward", "zero_grad", "step"], Outcome.WRONG),
    (["loss", "forward", "zero_grad", "backward", "step"], Outcome.WRONG),
    (["forward", "loss", "backward", "step"], Outcome.WRONG),
    (["forward", "forward", "loss", "backward", "step"], Outcome.WRONG),
])
def test_order(given: list[str], outcome: Outcome) -> None:
    item = OrderItem(name="TRAINING_STEPS", steps=["forward", "loss", "zero_grad", "backward", "step"],
                     constraints="C")
    evidence = Evidence(observed=seen(given), aux={"C": v([list(p) for p in CONSTRAINTS])})
    assert item.check(evidence).outcome == outcome


@pytest.mark.parametrize(("given", "outcome"), [
    ("P = WX so dL/dW = dL/dP X^T", Outcome.MANUAL), ("", Outcome.MISSING), ("   ", Outcome.MISSING),
    (None, Outcome.MISSING), (42, Outcome.WRONG),
])
def test_text(given: Any, outcome: Outcome) -> None:
    verdict = TextItem(name="Q1A_DERIVATION").check(Evidence(observed=seen(given)))
    assert verdict.outcome == outcome and verdict.fraction == 0.0


def test_unusable_observations() -> None:
    item = NumberItem(name="X")
    assert item.check(Evidence(observed=Observed("missing"), expected=v(1.0))).outcome == Outcome.MISSING
    assert item.check(Evidence(observed=Observed("timeout", message="t"), expected=v(1.0))).outcome == Outcome.TIMEOUT
    assert item.check(Evidence(observed=Observed("raised", message="e"), expected=v(1.0))).outcome == Outcome.ERROR


@pytest.mark.parametrize(("credit", "outcome"), [(1.0, Outcome.CORRECT), (0.5, Outcome.PARTIAL), (0.0, Outcome.WRONG)])
def test_an_alternates_credit_means_the_same_outcome_for_every_kind(credit: float, outcome: Outcome) -> None:
    alternate = Alternate(name="other", credit=credit, feedback="the other convention", reference="X")
    number = NumberItem(name="N", alternates=[alternate])
    assert number.check(Evidence(seen(2.0), v(1.0), alternates=[(alternate, v(2.0))])).outcome == outcome
    choice = ChoiceItem(name="C", options=["a", "b"], alternates=[alternate])
    assert choice.check(Evidence(seen("b"), v("a"), alternates=[(alternate, v("b"))])).outcome == outcome
    verdict = alternate.verdict()
    assert (verdict.outcome, verdict.fraction, verdict.feedback) == (outcome, credit, ["the other convention"])
