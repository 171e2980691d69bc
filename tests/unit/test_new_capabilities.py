"""The general capabilities mit-unit3 brought to the engine, each tested on its own:
expression answers, exact arrays, the `choices` kind, sets in the codec, sequence probes,
rubric includes, and a profile made of several sources."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader import profile, rubric, values
from grader.errors import RubricError
from grader.harness.codec import encode, to_python
from grader.kinds.array import ArrayItem
from grader.kinds.base import Observed, Outcome
from grader.kinds.choices import ChoicesItem
from grader.kinds.evidence import Evidence, Expected
from grader.kinds.number import NumberItem
from grader.probes import ArgSpec, ProbeSettings, generate

ROOT = Path(__file__).resolve().parents[2]


def v(x: Any) -> values.Value:
    return values.decode(encode(x))


def check(item: Any, given: Any, expected: Any) -> Any:
    return item.check(Evidence(expected=Expected(value=v(expected)), observed=Observed("ok", value=v(given))))


# -- expressions -------------------------------------------------------------------------------

O1 = math.exp(15) / (math.exp(15) + 1)  # the page's o1 at x = (3, 14), written out by hand
O2 = 1 / (math.exp(15) + 1)


@pytest.mark.parametrize(("given", "outcome"), [
    (["e^15/(e^15+1)", "1/(1+e^15)"], Outcome.CORRECT),
    (("e^15/(e^15+1)", 3.059022269e-07), Outcome.CORRECT),      # a tuple mixing strings and numbers
    ([O1, O2], Outcome.CORRECT),
    (["1", "0"], Outcome.WRONG),                                # within 5e-4, not within 5e-10
    ([O1, 0.0], Outcome.WRONG),                                 # o2 = 0: what the default atol would pass
    (["e^15/(e^15+1", "1/(1+e^15)"], Outcome.WRONG),            # does not parse
    (["e^15/(e^15+1)", "__import__('os')"], Outcome.WRONG),
    ("e^15/(e^15+1)", Outcome.WRONG),                           # one string where an array is asked
])
def test_expression_array(given: Any, outcome: Outcome) -> None:
    item = ArrayItem(name="FEED_FORWARD_O", shape=[2], atol=5e-10, rtol=0.0, expressions=True)
    assert check(item, given, np.array([O1, O2])).outcome == outcome


def test_expressions_are_off_unless_the_rubric_says_so() -> None:
    item = ArrayItem(name="A", shape=[2], atol=5e-10, rtol=0.0)
    verdict = check(item, ["e^15/(e^15+1)", "1/(1+e^15)"], np.array([O1, O2]))
    assert verdict.outcome == Outcome.WRONG


def test_a_string_that_does_not_parse_says_where_it_stopped() -> None:
    item = NumberItem(name="MAX_GAP_BETA3", expressions=True)
    verdict = check(item, "ln(999)/3)", math.log(999) / 3)
    assert verdict.outcome == Outcome.WRONG
    text = " ".join(verdict.feedback)
    assert "not a valid expression" in text and "character 9" in text
    assert "2.30" not in text  # the reference value is never shown


@pytest.mark.parametrize("given", ["ln(999)/3", "log(999)/3", "2.302585", 2.3026, "(ln(999))/(3)"])
def test_number_expressions_that_pass(given: Any) -> None:
    item = NumberItem(name="MAX_GAP_BETA3", expressions=True)
    assert check(item, given, math.log(999) / 3).outcome == Outcome.CORRECT


@pytest.mark.parametrize("bomb", ["9^9^9^9", "(" * 40 + "1" + ")" * 40, "1" * 1_000_000, "\u0663",
                                  "__import__('os').system('true')", "e^e^e^e^e^e", "1e999999999", "-" * 400 + "1"])
def test_expression_bombs_are_clean_wrongs(bomb: str) -> None:
    item = NumberItem(name="MAX_GAP_BETA1", expressions=True)
    verdict = check(item, bomb, math.log(999))
    assert verdict.outcome == Outcome.WRONG
    assert len(" ".join(verdict.feedback)) < 600  # a long input is never echoed whole


# -- exact arrays ------------------------------------------------------------------------------

STATES = [1, -1, 0, 1, -1]


@pytest.mark.parametrize(("given", "outcome"), [
    (STATES, Outcome.CORRECT),
    ([1.0, -1.0, 0.0, 1.0, -1.0], Outcome.CORRECT),
    ([1, -1, -0.0, 1, -1], Outcome.CORRECT),
    (np.array(STATES), Outcome.CORRECT),
    ([1, -1, 0.4, 1, -1], Outcome.WRONG),
    ([1, -1, 1e-12, 1, -1], Outcome.WRONG),
    ([True, False, False, True, False], Outcome.WRONG),
    (STATES[:4], Outcome.WRONG),
])
def test_exact_array(given: Any, outcome: Outcome) -> None:
    item = ArrayItem(name="LSTM_STATES_2", shape=[5], exact=True)
    verdict = check(item, given, np.array(STATES))
    assert verdict.outcome == outcome
    if outcome == Outcome.WRONG and len(given) == 5 and not isinstance(given[0], bool):
        assert "not equal" in " ".join(verdict.feedback)


# -- choices -----------------------------------------------------------------------------------

OPTIONS = ["first cannot", "second cannot", "second has a chance", "first has a chance"]


@pytest.mark.parametrize(("given", "outcome", "points"), [
    ({0, 2}, Outcome.CORRECT, 1.0),
    ([2, 0], Outcome.CORRECT, 1.0),
    ((0, 2, 2, 0), Outcome.CORRECT, 1.0),
    (frozenset({2, 0}), Outcome.CORRECT, 1.0),
    (["  First Cannot", "second has a chance"], Outcome.CORRECT, 1.0),
    ([0, "second has a chance"], Outcome.CORRECT, 1.0),
    ({0}, Outcome.WRONG, 0.0),
    ({0, 1, 2}, Outcome.WRONG, 0.0),
    (set(), Outcome.WRONG, 0.0),
    ({True, 2}, Outcome.WRONG, 0.0),       # a bool is not an option index
    ([0, 4], Outcome.WRONG, 0.0),
    ([0, "maybe"], Outcome.WRONG, 0.0),
    (0, Outcome.WRONG, 0.0),               # one index where a set is asked
    ("0, 2", Outcome.WRONG, 0.0),
    (None, Outcome.MISSING, 0.0),
])
def test_choices_all_or_nothing(given: Any, outcome: Outcome, points: float) -> None:
    item = ChoicesItem(name="EMBEDDINGS_TRUE", options=OPTIONS)
    verdict = check(item, given, [0, 2])
    assert (verdict.outcome, verdict.fraction) == (outcome, points)


@pytest.mark.parametrize(("given", "fraction"), [({0, 2}, 1.0), ({0}, 0.75), ({0, 1}, 0.5), ({1, 3}, 0.0)])
def test_choices_credit_per_option(given: Any, fraction: float) -> None:
    item = ChoicesItem(name="EMBEDDINGS_TRUE", options=OPTIONS, credit="per-option")
    assert check(item, given, [0, 2]).fraction == fraction


def test_choices_feedback_does_not_name_the_right_options() -> None:
    item = ChoicesItem(name="EMBEDDINGS_TRUE", options=OPTIONS)
    text = " ".join(check(item, {0, 1}, [0, 2]).feedback)
    assert "second has a chance" not in text and "2" not in text


# -- the codec: sets ---------------------------------------------------------------------------

def test_sets_encode_as_unordered_sequences_read_by_the_builtin_methods() -> None:
    class Sneaky(set):
        def __iter__(self):  # never called: the codec reads with set.__iter__
            raise RuntimeError("caught")

    decoded = v(Sneaky({3, 1}))
    assert decoded.t == "seq" and decoded.src == "set"
    assert sorted(item.v for item in decoded.items) == [1, 3]
    assert to_python(encode(frozenset({5})), {}) == [5]


def test_a_set_is_not_an_array() -> None:
    verdict = check(ArrayItem(name="A", shape=[2]), {1.0, 2.0}, np.array([1.0, 2.0]))
    assert verdict.outcome == Outcome.WRONG and "no order" in " ".join(verdict.feedback)


# -- sequence probes ---------------------------------------------------------------------------

SEQUENCE = [ArgSpec(name="xs", type="sequence", shape=["T"], low=0, high=1)]


def test_sequence_probes_are_int_lists_of_the_drawn_lengths() -> None:
    settings = ProbeSettings(random=40, dims={"T": (1, 20)},
                             fixed=[{"label": "page", "xs": [0, 0, 1, 1, 1, 0]}, {"label": "one", "T": 1},
                                    {"label": "twenty", "T": 20}])
    probes = generate("lstm-states/lstm_states", SEQUENCE, settings, seed=11)
    drawn = [to_python(dict(p.kwargs)["xs"], {}) for p in probes]
    assert drawn[0] == [0, 0, 1, 1, 1, 0]
    assert [len(xs) for xs in drawn[1:3]] == [1, 20]
    assert all(type(x) is int and x in (0, 1) for xs in drawn for x in xs)
    assert {len(xs) for xs in drawn[3:]} <= set(range(1, 21)) and len({len(xs) for xs in drawn[3:]}) > 5
    again = [to_python(dict(p.kwargs)["xs"], {}) for p in generate("lstm-states/lstm_states", SEQUENCE, settings, 11)]
    assert again == drawn


# -- includes ----------------------------------------------------------------------------------

INCLUDED = """schema_version = 1
assignment = "part"
title = "A part"
solutions = { theory = "part_ref" }
[[questions]]
id = "p1"
[[questions.rows]]
points = 2
[[questions.rows.items]]
name = "P"
kind = "number"
"""


def _whole(entries: str) -> str:
    return ('schema_version = 1\nassignment = "whole"\ntitle = "W"\nsolutions = { theory = "whole_ref" }\n'
            '[[questions]]\nid = "w1"\n[[questions.rows]]\npoints = 1\n[[questions.rows.items]]\n'
            'name = "W"\nkind = "number"\n' + entries)


def test_an_include_splices_the_questions_with_their_reference(tmp_path: Path) -> None:
    (tmp_path / "part.toml").write_text(INCLUDED)
    loaded = rubric.parse(_whole('[[questions]]\ninclude = "part"\n'), tmp_path / "whole.toml")
    assert [q.id for q in loaded.questions] == ["w1", "p1"]
    assert [q.reference for q in loaded.questions] == ["", "part_ref"]
    assert loaded.includes == ["part"] and loaded.max_points == 3


def test_a_change_to_the_included_rubric_changes_the_digest(tmp_path: Path) -> None:
    (tmp_path / "part.toml").write_text(INCLUDED)
    whole = _whole('[[questions]]\ninclude = "part"\n')
    before = rubric.parse(whole, tmp_path / "whole.toml").digest
    (tmp_path / "part.toml").write_text(INCLUDED.replace('kind = "number"', 'kind = "number"\natol = 0.1'))
    assert rubric.parse(whole, tmp_path / "whole.toml").digest != before


@pytest.mark.parametrize(("entries", "problem"), [
    ('[[questions]]\ninclude = "nowhere"\n', "no rubric nowhere.toml"),
    ('[[questions]]\ninclude = "part"\nid = "x"\n', "holds only include"),
    ('[[questions]]\ninclude = "whole"\n', "cycle"),
])
def test_a_bad_include_is_named(tmp_path: Path, entries: str, problem: str) -> None:
    (tmp_path / "part.toml").write_text(INCLUDED)
    (tmp_path / "whole.toml").write_text(_whole(entries))
    with pytest.raises(RubricError, match=problem) as caught:
        rubric.load(tmp_path / "whole.toml")
    assert "whole.toml" in str(caught.value)


def test_mit_unit3_includes_mit_backprop_as_it_is() -> None:
    unit3 = rubric.load(ROOT / "rubrics" / "mit-unit3.toml")
    backprop = rubric.load(ROOT / "rubrics" / "mit-backprop.toml")
    included = [q for q in unit3.questions if q.reference == "mit_backprop"]
    assert [q.model_dump(exclude={"reference"}) for q in included] == [q.model_dump(exclude={"reference"})
                                                                       for q in backprop.questions]


# -- a profile of several sources --------------------------------------------------------------

def test_a_profile_installs_its_included_profiles_checks_first() -> None:
    first = "from grader.profile import Profile\nfrom grader.selfcheck import SelfCheck\n" \
            "PROFILE = Profile(harnesses={'h1': print}, checks=[SelfCheck('q', 'one', print)])\n"
    second = first.replace("'one'", "'two'").replace("'h1'", "'h2'")
    installed = profile.install("two-part", [first, "", second])
    assert [c.name for c in profile.checks("two-part")] == ["one", "two"]
    assert {"h1", "h2"} <= set(installed.harnesses) and {"h1", "h2"} <= set(profile.HARNESSES)
