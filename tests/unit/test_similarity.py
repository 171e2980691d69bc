"""The normalised content hash: alike for copies that differ in comments and spacing only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.load import load
from grader.similarity import MAX_CHARS, normalized, similarity_hash

CODE = 'ASSIGNMENT = "jhu-hw3"\n\ndef f(x):\n    return x + 1  # add one\n\nY = "a # not a comment"\n'


def _hash(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return similarity_hash(load(path.stem, path, name))


@pytest.mark.parametrize("variant", [
    "# a header naming the student\n" + CODE,
    CODE.replace("  # add one", ""),
    CODE.replace("\n\n", "\n\n\n\n").replace("x + 1", "x  +\t1"),
    CODE.replace("\n", "\r\n"),
    CODE + "\n# the end\n   \n",
])
def test_comments_blank_lines_and_spacing_do_not_count(tmp_path: Path, variant: str) -> None:
    assert _hash(tmp_path, "a.py", CODE) == _hash(tmp_path, "b.py", variant)


@pytest.mark.parametrize("variant", [
    CODE.replace("x + 1", "x + 2"),
    CODE.replace('"a # not a comment"', '"a"'),
    CODE + "Z = 3\n",
])
def test_code_and_strings_count(tmp_path: Path, variant: str) -> None:
    assert _hash(tmp_path, "a.py", CODE) != _hash(tmp_path, "b.py", variant)


def test_a_notebook_counts_by_its_code_cells(tmp_path: Path) -> None:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Homework, by Alice"},
             {"cell_type": "code", "metadata": {}, "source": CODE, "outputs": [], "execution_count": None}]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    other = json.loads(json.dumps(notebook))
    other["cells"][0]["source"] = "# Homework, by Bob"
    other["cells"][1]["source"] = "# my code\n" + CODE
    assert _hash(tmp_path, "a.ipynb", json.dumps(notebook)) == _hash(tmp_path, "b.ipynb", json.dumps(other))


def test_a_folder_combines_its_files(tmp_path: Path) -> None:
    for name, extra in (("alice", ""), ("bob", "# mine\n"), ("carol", "W = 1\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "hw.py").write_text(extra + CODE)
        (tmp_path / name / "mlp.py").write_text("class MLP:\n    pass\n")
    alice, bob, carol = (similarity_hash(load(n, tmp_path / n, n)) for n in ("alice", "bob", "carol"))
    assert alice == bob != carol


@pytest.mark.parametrize("text", ["'''" * 50_000, "'" * 100_000 + "#" * 100_000, ('"""' + "\\") * 30_000,
                                  "x = '" + "\\'" * 100_000])
def test_hostile_text_is_normalised_in_one_pass(text: str) -> None:
    assert isinstance(normalized(text), str)  # linear patterns: this returns at once


def test_only_the_first_characters_are_normalised(tmp_path: Path) -> None:
    long = CODE + "x = 1\n" * (MAX_CHARS // 6)
    assert _hash(tmp_path, "a.py", long + "# a\n") != _hash(tmp_path, "b.py", long + "# b\n")
