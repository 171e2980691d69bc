"""The rubric: questions, items, points and tolerances, validated once at load time.

Rubrics are TOML files. They hold no reference values: those come from the
solutions, which the grader loads only in the trusted parent process.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import Field, ValidationError, model_validator

from grader.errors import RubricError
from grader.kinds import KINDS
from grader.kinds.base import ItemBase
from grader.model import Frozen

SCHEMA_VERSION = 1

Item = Annotated[Union[tuple(KINDS.values())], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007


class Row(Frozen):
    """One row of the homework's table: its points are split equally between its items."""

    points: float = Field(ge=0, description="Points of the row, split equally between its items.")
    items: list[Item] = Field(min_length=1, description="The items the row names.")  # type: ignore[valid-type]


class Question(Frozen):
    """The unit a score report shows one row for."""

    id: str = Field(description="The question label, e.g. `q1b` or `1.2c`.")
    title: str = Field(default="", description="A short description shown in reports.")
    rows: list[Row] = Field(min_length=1, description="The question's rows of items.")
    reference: str = Field(
        default="", description="File name, without .py, of this question's reference when it is not the "
        "rubric's `solutions.theory` module. Set on the questions an `include` brings in.")

    def items(self) -> Iterator[tuple[ItemBase, float]]:
        """Each item with its share of the points."""
        for row in self.rows:
            for item in row.items:
                yield item, row.points / len(row.items)

    @property
    def max_points(self) -> float:
        return sum(row.points for row in self.rows)


class Solutions(Frozen):
    """Which files of the solutions folder hold the reference."""

    theory: str = Field(description="File name, without .py, of the reference for the theory part.")
    implementation: str = Field(default="", description="File name of the reference implementation.")


class Implementation(Frozen):
    """The module a student writes beside the theory module (a network's class in its own file, say)."""

    module: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                        description="Its name, without .py: a folder submission's file `<module>.py`.")
    names: list[str] = Field(
        min_length=1, description="The names it defines. A theory module (a notebook, say) that defines "
        "them itself is the implementation too.")


class Rubric(Frozen):
    """A whole assignment's rubric."""

    schema_version: Literal[1] = Field(description="Version of this rubric format.")
    assignment: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="The assignment id.")
    title: str = Field(description="The homework's full title.")
    solutions: Solutions = Field(description="Where the reference lives in the solutions folder.")
    cell_timeout: float = Field(
        default=10.0, gt=0, description="Seconds allowed per notebook cell or module import."
    )
    questions: list[Question] = Field(
        min_length=1, description="The questions, in report order. An entry `{ include = \"<assignment>\" }` "
        "stands for every question of that assignment's rubric, as it is, with its reference: one fix "
        "to them fixes both assignments.")
    includes: list[str] = Field(default=[], description="Set by the loader: the assignments included.")
    implementation: Implementation | None = Field(
        default=None, description="The module students write beside the theory module, if any.")

    @model_validator(mode="after")
    def _unique(self) -> Rubric:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
        for q in self.questions:
            names = [item.name for item, _ in q.items()]
            if len(set(names)) != len(names):
                raise ValueError(f"question {q.id!r} names an item twice")
            for item, _ in q.items():
                item.verify(q.id)
        return self

    @property
    def max_points(self) -> float:
        return sum(q.max_points for q in self.questions)

    def items(self) -> Iterator[tuple[Question, ItemBase, float]]:
        """Every item with its question and points."""
        for q in self.questions:
            for item, points in q.items():
                yield q, item, points

    @functools.cached_property
    def digest(self) -> str:
        """A hash of the rubric's content, part of the key that decides re-grading."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


def parse(text: str, path: str | Path) -> Rubric:
    """Validate rubric TOML text; errors name the file and the key path."""
    data = _toml(text, path)
    if isinstance(data.get("questions"), list):
        data["questions"], paths = _expand(data["questions"], Path(path), [])
        data["includes"] = [p.stem for p in paths]
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        raise RubricError(path, [_problem(data, err) for err in exc.errors()]) from None


def load(path: Path) -> Rubric:
    """Read and validate one rubric file."""
    return parse(_read(path), path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(path, [f"cannot read: {exc}"]) from None


def _toml(text: str, path: str | Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(path, [f"not valid TOML: {exc}"]) from None


MAX_INCLUDE_DEPTH = 4


def included_rubrics(path: Path) -> list[Path]:
    """The rubric files that the rubric at ``path`` includes, nested ones first."""
    data = _toml(_read(path), path)
    questions = data.get("questions")
    return _expand(questions, path, [])[1] if isinstance(questions, list) else []


def _expand(questions: list[Any], path: Path, chain: list[str]) -> tuple[list[Any], list[Path]]:
    """The questions with each ``{ include = "<id>" }`` replaced by that rubric's questions, each
    of them told to take its reference from the included rubric's theory module."""
    expanded: list[Any] = []
    included: list[Path] = []
    for number, entry in enumerate(questions):
        if not (isinstance(entry, dict) and "include" in entry):
            expanded.append(entry)
            continue
        name = entry["include"]
        where = f"questions[{number}]"
        if set(entry) != {"include"} or not isinstance(name, str):
            raise RubricError(path, [f"{where}: an include entry holds only include = \"<assignment id>\""])
        if name in chain or len(chain) >= MAX_INCLUDE_DEPTH:
            raise RubricError(path, [f"{where}: including {name!r} makes a cycle ({' -> '.join([*chain, name])})"])
        source = _included_path(name, path)
        if source is None:
            raise RubricError(path, [f"{where}: no rubric {name}.toml to include (see `grader list`)"])
        data = _toml(_read(source), source)
        theory = data.get("solutions", {}).get("theory", "") if isinstance(data.get("solutions"), dict) else ""
        inner, deeper = _expand(list(data.get("questions", [])), source, [*chain, name])
        expanded += [{**q, "reference": q.get("reference") or theory} if isinstance(q, dict) else q for q in inner]
        included += [*deeper, source]
    return expanded, included


def _included_path(name: str, path: Path) -> Path | None:
    """``<name>.toml`` beside the including rubric, else the known assignment of that name."""
    from grader.assignments import available

    beside = path.parent / f"{name}.toml"
    return beside if beside.is_file() else available().get(name)


def _problem(data: Any, error: Any) -> str:
    return f"{_key_path(data, error['loc'])}: {error['msg']}"


def _key_path(data: Any, loc: tuple[Any, ...]) -> str:
    """``questions[2](q1b).rows[0].items[1](l2_step).atol`` style paths."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            label = ""
            if isinstance(node, list) and 0 <= key < len(node):
                node = node[key]
                label = _label(node)
            parts.append(f"[{key}]{label}")
        else:
            node = node.get(key) if isinstance(node, dict) else None
            if key in KINDS and parts:  # pydantic's union tag: not a key in the file
                continue
            parts.append(f".{key}" if parts else str(key))
    return "".join(parts) or "(top level)"


def _label(node: Any) -> str:
    if isinstance(node, dict):
        for key in ("id", "name"):
            if isinstance(node.get(key), str):
                return f"({node[key]})"
    return ""


def json_schema() -> dict[str, Any]:
    """The rubric file format as JSON Schema: the model's, with ``{ include = "<assignment>" }``
    entries among the questions, and without the fields only the loader sets."""
    schema = Rubric.model_json_schema()
    properties = schema["properties"]
    properties.pop("includes", None)
    schema["$defs"]["Question"]["properties"].pop("reference", None)
    include = {"type": "object", "title": "Include", "additionalProperties": False, "required": ["include"],
               "properties": {"include": {"type": "string", "description": "The id of the assignment whose "
                                          "questions this entry stands for (see `grader list`)."}}}
    properties["questions"]["items"] = {"anyOf": [properties["questions"]["items"], include]}
    return schema
