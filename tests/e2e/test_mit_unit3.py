"""mit-unit3 end to end: correct, rounded, expression, wrong and hard-coded submissions, as .py and
as notebooks, graded by `grader check`; `grader solve` and `grader list`.

Expected points come from HOMEWORK.md's tables (36 in all: feed_forward 2, lstm_states 3, ...),
and expected constants from the page's closed forms, never from the reference solver.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from typing import Any

import nbformat
import pytest

from tests.conftest import EXAMPLES, TEMPLATES, run_grader

UNIT3 = EXAMPLES / "mit-unit3"
CORRECT = (UNIT3 / "ada_correct.py").read_text(encoding="utf-8")

HARD_CODED_FUNCTIONS = '''
def feed_forward(x):
    return np.array([0.999999694, 0.000000306])


def lstm_states(xs):
    known = {(0, 0, 1, 1, 1, 0): [0, 0, 1, -1, 1, 0], (1, 1, 0, 1, 1): [1, -1, 0, 1, -1]}
    return known.get(tuple(xs), [0] * len(xs))
'''


def _with(source: str, **answers: str) -> str:
    """The correct submission with some top-level answers replaced (the line ``NAME = ...``)."""
    for name, value in answers.items():
        source, count = re.subn(rf"^{name} = .*$", f"{name} = {value}", source, count=1, flags=re.M)
        assert count == 1, name
    return source


VARIANTS = {
    "correct": CORRECT,
    "too_rounded": _with(CORRECT, FEED_FORWARD_O="[1.0, 0.0]"),  # right to 3 decimals, not to the 9 asked
    "bad_expression": _with(CORRECT, MAX_GAP_BETA3='"ln(999)/3)"'),
    "wrong": _with(CORRECT, BOUNDARY_AREA="1", BETA_EFFECT='"larger"', LSTM_INFO="3",
                   OUTPUT_O1="[0.5, 0.881, 0.047]", EMBEDDINGS_TRUE="{0, 1, 2}"),
    "choices_as_texts": _with(CORRECT, EMBEDDINGS_TRUE='["the first network cannot classify the sequence '
                              'correctly.", "The second network has a fighting chance at classifying the '
                              'sequence.  ", 0]'),
    "exact_states": _with(CORRECT, LSTM_STATES_1="[0.0, -0.0, 1.0, -1.0, 1.0, 0.0]",
                          LSTM_STATES_2="[1, -1, 0.4, 1, -1]"),
    "hard_coded": CORRECT + HARD_CODED_FUNCTIONS,
}


def _notebook_with(**answers: str) -> nbformat.NotebookNode:
    """dan_notebook.ipynb (right answers) with some top-level answer lines replaced in its cells."""
    notebook = nbformat.read(UNIT3 / "dan_notebook.ipynb", as_version=4)
    left = dict(answers)
    for cell in notebook.cells:
        for name, value in list(left.items()):
            cell.source, count = re.subn(rf"^{name} = .*$", f"{name} = {value}", cell.source, count=1, flags=re.M)
            if count:
                del left[name]
    assert not left, left
    return notebook


NOTEBOOKS = {
    "nb_expressions": _notebook_with(FEED_FORWARD_O='["e^15/(e^15+1)", "1/(e^15+1)"]', MAX_GAP_BETA1='"ln(999)"',
                                     OUTPUT_O1='[0.5, "1/(1+e^2)", "e^3/(e^3+1)"]'),
    "nb_wrong": _notebook_with(BETA_EFFECT='"larger"', MAX_GAP_BETA3='"ln(999)/(3"', EMBEDDINGS_TRUE="[0]"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("unit3")
    folder = root / "class"
    folder.mkdir()
    for name, source in VARIANTS.items():
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    for example in ("bob_expressions.py", "dan_notebook.ipynb"):
        shutil.copy(UNIT3 / example, folder / example)
    shutil.copy(TEMPLATES / "mit-unit3" / "mit_unit3.ipynb", folder / "blank_notebook.ipynb")
    for name, notebook in NOTEBOOKS.items():
        nbformat.write(notebook, folder / f"{name}.ipynb")
    done = run_grader("check", str(folder), "--out", str(root / "out"), "--seed", "21", "--no-progress",
                      "--timeout", "30")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((root / "out" / "report.json").read_text())
    return {s["student"]: s for s in report["submissions"]}


def items(submission: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["name"]: i for q in submission["questions"] for i in q["items"]}


@pytest.mark.parametrize("student", ["correct", "bob_expressions", "dan_notebook", "choices_as_texts",
                                     "nb_expressions"])
def test_right_answers_in_every_form_earn_36(graded: dict[str, dict[str, Any]], student: str) -> None:
    assert graded[student]["status"] == "graded"
    assert (graded[student]["points"], graded[student]["max_points"]) == (36, 36)


def test_nine_decimals_are_asked_for_feed_forward_o(graded: dict[str, dict[str, Any]]) -> None:
    got = items(graded["too_rounded"])
    assert got["FEED_FORWARD_O"]["outcome"] == "wrong"
    assert "atol=5e-10" in got["FEED_FORWARD_O"]["feedback"]
    assert graded["too_rounded"]["points"] == 36 - 2


def test_an_expression_that_does_not_parse_says_where(graded: dict[str, dict[str, Any]]) -> None:
    item = items(graded["bad_expression"])["MAX_GAP_BETA3"]
    assert item["outcome"] == "wrong"
    assert "not a valid expression" in item["feedback"] and "character 9" in item["feedback"]
    assert graded["bad_expression"]["points"] == 36 - 1


def test_wrong_answers_lose_exactly_their_points(graded: dict[str, dict[str, Any]]) -> None:
    got = items(graded["wrong"])
    wrong = {"BOUNDARY_AREA", "BETA_EFFECT", "LSTM_INFO", "OUTPUT_O1", "EMBEDDINGS_TRUE"}
    assert {name for name, item in got.items() if item["outcome"] != "correct"} == wrong
    assert graded["wrong"]["points"] == 36 - (1 + 1 + 1 + 3 + 2)
    assert "0.119" not in got["OUTPUT_O1"]["feedback"]  # no reference value in the feedback


def test_a_notebook_loses_exactly_its_wrong_answers(graded: dict[str, dict[str, Any]]) -> None:
    got = items(graded["nb_wrong"])
    assert {name for name, item in got.items() if item["outcome"] != "correct"} == {
        "BETA_EFFECT", "MAX_GAP_BETA3", "EMBEDDINGS_TRUE"}
    assert "not a valid expression" in got["MAX_GAP_BETA3"]["feedback"]
    assert graded["nb_wrong"]["points"] == 36 - 1 - 1 - 2


def test_exact_states_accept_integral_floats_only(graded: dict[str, dict[str, Any]]) -> None:
    got = items(graded["exact_states"])
    assert got["LSTM_STATES_1"]["outcome"] == "correct"
    assert got["LSTM_STATES_2"]["outcome"] == "wrong"


def test_hard_coded_functions_fail_their_random_probes(graded: dict[str, dict[str, Any]]) -> None:
    got = items(graded["hard_coded"])
    assert got["feed_forward"]["outcome"] == "wrong" and got["lstm_states"]["outcome"] == "wrong"
    assert "random" in got["lstm_states"]["feedback"]
    assert graded["hard_coded"]["points"] == 36 - 2 - 3


def test_the_blank_notebook_scores_zero(graded: dict[str, dict[str, Any]]) -> None:
    assert graded["blank_notebook"]["points"] == 0
    assert {i["outcome"] for i in items(graded["blank_notebook"]).values()} <= {"missing", "error"}


def test_solve_gives_every_constant() -> None:
    done = run_grader("solve", "mit-unit3", "--format", "json")
    assert done.returncode == 0, done.stderr
    answers = {name: value for question in json.loads(done.stdout).values() for name, value in question.items()}
    e15 = math.exp(15)
    closed_forms = {
        "FEED_FORWARD_O": [e15 / (e15 + 1), 1 / (e15 + 1)],
        "BOUNDARY_AREA": 4.0,
        "OUTPUT_O1": [0.5, 1 / (1 + math.exp(2)), math.exp(3) / (math.exp(3) + 1)],
        "MAX_GAP_BETA1": math.log(999), "MAX_GAP_BETA3": math.log(999) / 3,
    }
    for name, value in closed_forms.items():
        assert answers[name] == pytest.approx(value, rel=1e-9, abs=1e-15), name
    published = {"LSTM_STATES_1": [0, 0, 1, -1, 1, 0], "LSTM_STATES_2": [1, -1, 0, 1, -1], "BETA_EFFECT": "smaller",
                 "LSTM_INFO": 0, "EMBEDDINGS_TRUE": [0, 2], "SIMPLE_NET_LOSS": pytest.approx(0.288, abs=5e-4)}
    for name, value in published.items():
        assert answers[name] == value, name


def test_list_shows_36_points() -> None:
    done = run_grader("list")
    assert re.search(r"^mit-unit3: .*\(36 points: 36 automatic", done.stdout, re.M), done.stdout
