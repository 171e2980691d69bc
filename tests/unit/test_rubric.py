"""Rubric files: the shipped ones are valid and match HOMEWORK.md; malformed ones are named precisely."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from grader import rubric
from grader.assignments import available, load_rubric
from grader.errors import RubricError

ROOT = Path(__file__).resolve().parents[2]

# Totals and per-question points copied by hand from HOMEWORK.md's tables.
POINTS = {
    "jhu-hw3": {"q1a": 5, "q1b": 5, "q2a": 4, "q2b": 6, "q2c": 3, "q2d": 4},
    "mit-backprop": {"error-last": 1, "error-hidden": 2, "param-derivatives": 2, "activations": 3,
                     "simple-network": 6, "sgd": 1},
    # Pages 1, 2 and 4 from HOMEWORK.md's tables; page 3 is mit-backprop's, as it is. Total 36.
    "mit-unit3": {"nn-feedforward": 4, "nn-boundaries": 1, "nn-output": 3, "nn-temperature": 3,
                  "lstm-states": 7, "lstm-info": 1, "error-last": 1, "error-hidden": 2, "param-derivatives": 2,
                  "activations": 3, "simple-network": 6, "sgd": 1, "embeddings": 2},
    "nyu-hw1": {"1.2a": 5, "1.2b": 8, "1.2c": 10, "1.2d": 6, "1.3a": 8, "1.3b": 8, "1.3c": 5,
                "impl-losses": 10, "impl-forward": 10, "impl-backward": 25, "impl-clear": 5},
}


@pytest.mark.parametrize("assignment", sorted(POINTS))
def test_shipped_rubric_points_match_the_homework(assignment: str) -> None:
    loaded = load_rubric(assignment)
    assert {q.id: q.max_points for q in loaded.questions} == POINTS[assignment]


def test_every_shipped_rubric_is_listed() -> None:
    assert set(available()) == set(POINTS)


def test_mit_unit3_is_worth_36_points() -> None:
    assert load_rubric("mit-unit3").max_points == 36


def test_split_rows_share_points_equally() -> None:
    loaded = load_rubric("jhu-hw3")
    shares = {item.name: points for q, item, points in loaded.items() if q.id == "q2a"}
    assert shares == {"sigmoid_prime": 2, "Q2A_MAX": 0.5, "Q2A_ARGMAX": 0.5, "Q2A_INF": 0.5, "Q2A_INF_ATTAINED": 0.5}


def test_rubrics_hold_no_reference_values() -> None:
    text = (ROOT / "rubrics" / "mit-backprop.toml").read_text()
    for published in ("2.081", "0.004", "0.139", "0.288"):
        assert published not in text


BASE = (ROOT / "rubrics" / "jhu-hw3.toml").read_text()


@pytest.mark.parametrize(("change", "expected"), [
    (("atol = 1e-8", "atol = 1e-8"), None),
    (('kind = "number"', 'kind = "numbr"'), "questions[2](q2a).rows[1].items[0](Q2A_MAX)"),
    (("points = 3\n    [[questions.rows.items]]\n    name = \"Q1B_W_NEW\"", "points = -3\n    [[questions.rows.items]]\n    name = \"Q1B_W_NEW\""),
     "questions[1](q1b).rows[0].points"),
    (('shape = [2, 2]', 'shape = [2, 2]\n    colour = "red"'), "colour"),
    (('schema_version = 1', 'schema_version = 9'), "schema_version"),
    (('id = "q1b"', 'id = "q1a"'), "question ids repeat"),
])
def test_malformed_rubric_names_file_and_key_path(tmp_path: Path, change: tuple[str, str], expected: str | None) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BASE.replace(*change, 1))
    if expected is None:
        assert rubric.load(path).assignment == "jhu-hw3"
        return
    with pytest.raises(RubricError) as caught:
        rubric.load(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("schema_version = = 1")
    with pytest.raises(RubricError, match="not valid TOML"):
        rubric.load(path)


def test_undefined_probe_dimension_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "dims.toml"
    path.write_text(BASE.replace('shape = ["m", "n"] }', 'shape = ["m", "zz"] }', 1))
    with pytest.raises(RubricError, match="undefined dim 'zz'"):
        rubric.load(path)


def test_schema_describes_every_key() -> None:
    schema = rubric.json_schema()
    for name, definition in schema["$defs"].items():
        for key, prop in definition.get("properties", {}).items():
            if key != "kind":
                assert prop.get("description"), f"{name}.{key} has no description"
    json.dumps(schema)


def test_validate_command(grader_cmd, tmp_path: Path) -> None:
    good = grader_cmd("rubric", "validate", str(ROOT / "rubrics" / "nyu-hw1.toml"))
    assert good.returncode == 0 and "valid rubric for nyu-hw1" in good.stdout
    bad_path = tmp_path / "bad.toml"
    bad_path.write_text(BASE.replace("rtol", "rtoll", 1) if "rtol" in BASE else BASE.replace('kind = "text"', 'kind = 3', 1))
    bad = grader_cmd("rubric", "validate", str(bad_path))
    assert bad.returncode == 2 and str(bad_path) in bad.stderr


@pytest.mark.parametrize("path", sorted((ROOT / "rubrics").glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_rubric_file_follows_the_printed_schema(path: Path) -> None:
    import jsonschema

    jsonschema.validate(tomllib.loads(path.read_text()), rubric.json_schema())


def test_the_schema_refuses_an_include_entry_with_more_keys() -> None:
    import jsonschema

    data = tomllib.loads((ROOT / "rubrics" / "mit-unit3.toml").read_text())
    entry = next(q for q in data["questions"] if "include" in q)
    entry["points"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, rubric.json_schema())
