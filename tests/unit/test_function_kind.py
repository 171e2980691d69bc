"""The function kind: probes, partial credit, alternates, flags and purity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from grader import values
from grader.harness.calls import call
from grader.harness.codec import encode
from grader.kinds.base import Alternate, Observed, Outcome
from grader.kinds.evidence import Evidence, Expected
from grader.kinds.function import FunctionItem
from grader.probes import ArgSpec, ProbeSettings, generate

ITEM = FunctionItem(name="grad_W", args=[ArgSpec(name="G", type="array", shape=["m", "n"]),
                                         ArgSpec(name="X", type="array", shape=["k", "n"])],
                    probes=ProbeSettings(random=5, dims={"m": (1, 4), "n": (1, 4), "k": (1, 4)}))


def reference(G: np.ndarray, X: np.ndarray) -> np.ndarray:
    return G @ X.T


def evidence_for(student: Any, item: FunctionItem = ITEM, alternates: list[tuple[Alternate, Any]] = ()) -> Evidence:
    probes = generate("q1a/grad_W", item.args, item.probes, seed=7)
    expected = [values.decode(call(reference, p.to_json(), "call", None)["value"]) for p in probes]
    calls = []
    for p in probes:
        result = call(student, p.to_json(), "call", None, pure=item.pure)
        value = values.decode(result["value"]) if result["status"] == "ok" else None
        calls.append(Observed(result["status"], value=value, message=result.get("message", ""),
                              mutated=tuple(result.get("mutated", ())), autograd=result["autograd"]))
    alt_calls = [(alt, [values.decode(call(f, p.to_json(), "call", None)["value"]) for p in probes])
                 for alt, f in alternates]
    return Evidence(expected=Expected(probes=probes, calls=expected, alternate_calls=alt_calls),
                    observed=Observed("ok", value=values.decode(encode(student))), calls=calls)


def test_correct_function_passes_every_probe() -> None:
    verdict = ITEM.check(evidence_for(lambda G, X: np.asarray(G) @ np.asarray(X).T))
    assert verdict.outcome == Outcome.CORRECT and verdict.fraction == 1.0


def test_hard_coded_constant_fails_random_probes() -> None:
    fixed = reference(np.ones((2, 2)), np.ones((2, 2)))
    verdict = ITEM.check(evidence_for(lambda G, X: fixed))
    assert verdict.outcome == Outcome.WRONG and verdict.fraction == 0.0
    assert "of 5 probes failed" in verdict.feedback[0]


def test_transposed_result_names_the_shape() -> None:
    verdict = ITEM.check(evidence_for(lambda G, X: (G @ X.T).T))
    assert verdict.outcome == Outcome.WRONG
    assert any("expected" in line and "shape" in line for line in verdict.feedback)


def test_partial_credit_is_opt_in() -> None:
    item = ITEM.model_copy(update={"partial_credit": True})
    verdict = item.check(evidence_for(lambda G, X: reference(G, X) if G.shape[0] > 1 else reference(G, X) + 1, item))
    assert verdict.outcome in (Outcome.PARTIAL, Outcome.WRONG)
    assert 0.0 <= verdict.fraction < 1.0


def test_raising_function_is_an_error_with_the_exception() -> None:
    def broken(G: Any, X: Any) -> Any:
        raise ValueError("boom")
    verdict = ITEM.check(evidence_for(broken))
    assert verdict.outcome == Outcome.ERROR
    assert any("ValueError: boom" in line for line in verdict.feedback)


def test_not_implemented_is_missing() -> None:
    def stub(G: Any, X: Any) -> Any:
        raise NotImplementedError
    assert ITEM.check(evidence_for(stub)).outcome == Outcome.MISSING


def test_alternate_matching_every_probe_earns_its_credit() -> None:
    alternate = Alternate(name="half", credit=0.5, feedback="half", reference="r")
    half = lambda G, X: 0.5 * reference(G, X)  # noqa: E731
    verdict = ITEM.check(evidence_for(half, alternates=[(alternate, half)]))
    assert (verdict.outcome, verdict.fraction) == (Outcome.PARTIAL, 0.5)


def test_mutating_inputs_fails_a_pure_item() -> None:
    item = ITEM.model_copy(update={"pure": True})

    def mutating(G: np.ndarray, X: np.ndarray) -> np.ndarray:
        out = G @ X.T
        G *= 0
        return out
    verdict = item.check(evidence_for(mutating, item))
    assert verdict.outcome == Outcome.ERROR and verdict.fraction == 0.0
    assert any("tried to change an input in place" in line for line in verdict.feedback)


def test_pure_item_inputs_cannot_be_changed_even_by_unlocking_them() -> None:
    item = ITEM.model_copy(update={"pure": True})

    def sneaky(G: np.ndarray, X: np.ndarray) -> np.ndarray:
        out = G @ X.T
        try:
            G.setflags(write=True)
        except ValueError:
            return out  # numpy refuses: the input stays unchanged
        G *= 0
        return out
    assert item.check(evidence_for(sneaky, item)).outcome == Outcome.CORRECT


def test_flag_keeps_points() -> None:
    evidence = evidence_for(lambda G, X: reference(G, X))
    evidence.flag = "autograd used in MLP.backward"
    verdict = ITEM.check(evidence)
    assert (verdict.outcome, verdict.fraction) == (Outcome.FLAGGED, 1.0)


def test_probes_depend_on_seed_not_on_anything_else() -> None:
    a = generate("q1a/grad_W", ITEM.args, ITEM.probes, seed=1)
    b = generate("q1a/grad_W", ITEM.args, ITEM.probes, seed=1)
    c = generate("q1a/grad_W", ITEM.args, ITEM.probes, seed=2)
    assert [p.to_json() for p in a] == [p.to_json() for p in b]
    assert [p.to_json() for p in a] != [p.to_json() for p in c]


def test_fixed_probes_come_first_with_their_values() -> None:
    settings = ProbeSettings(random=2, fixed=[{"label": "homework", "w": 0.25}])
    probes = generate("k", [ArgSpec(name="w", type="float")], settings, seed=3)
    assert probes[0].label == "homework" and probes[0].kwargs[0][1] == {"t": "float", "v": 0.25}
    assert [p.label for p in probes[1:]] == ["random", "random"]


def _probe_with(G: np.ndarray) -> dict[str, Any]:
    return {"kwargs": [["G", encode(G)], ["X", encode(np.eye(2))]]}


def test_pure_call_reports_an_input_reshaped_in_place() -> None:
    def reshaping(G: np.ndarray, X: np.ndarray) -> np.ndarray:
        out = G @ X.T
        G.shape = (4,)  # allowed on the read-only view, and visible to the caller
        return out
    result = call(reshaping, _probe_with(np.ones((2, 2))), "call", None, pure=True)
    assert result["mutated"] == ["G"]


def test_pure_call_does_not_report_an_untouched_input_holding_nan() -> None:
    G = np.array([[np.nan, 1.0], [-0.0, 2.0]])
    result = call(lambda G, X: G @ X.T, _probe_with(G), "call", None, pure=True)
    assert result["status"] == "ok" and result["mutated"] == []


@pytest.mark.parametrize(("credit", "outcome"), [(1.0, Outcome.CORRECT), (0.5, Outcome.PARTIAL), (0.0, Outcome.WRONG)])
def test_a_function_matching_an_alternate_gets_the_common_outcome_for_its_credit(credit: float, outcome: Outcome) -> None:
    alternate = Alternate(name="twice", credit=credit, feedback="twice the gradient", reference="twice")
    item = ITEM.model_copy(update={"alternates": [alternate]})

    def twice(G: np.ndarray, X: np.ndarray) -> np.ndarray:
        return 2 * reference(G, X)

    verdict = item.check(evidence_for(twice, item, [(alternate, twice)]))
    assert (verdict.outcome, verdict.fraction) == (outcome, credit)
