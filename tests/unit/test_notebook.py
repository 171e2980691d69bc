"""Notebooks become the code a student ran: magics skipped, wrapped code kept."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader.notebook import NotebookError, convert, parse


@pytest.mark.parametrize(("source", "kept", "dropped"), [
    ("%matplotlib inline\nx = 1", "x = 1", "%matplotlib"),
    ("!pip install numpy\nx = 1", "x = 1", "!pip"),
    ("files = !ls\nx = 1", "x = 1", "!ls"),
    ("if True:\n    %time y = 2\nx = 1", "    pass", "%time"),
    ("x = 10 % 3", "x = 10 % 3", None),
    ("np.sum?", "pass", "np.sum?"),
])
def test_line_magics_are_skipped(source: str, kept: str, dropped: str | None) -> None:
    cell = convert(1, source)
    assert cell is not None and kept in cell.source
    compile(cell.source, "<cell>", "exec")
    if dropped:
        assert all(not line.strip().startswith(dropped) for line in cell.source.splitlines())


@pytest.mark.parametrize("magic", ["%%time", "%%capture", "%%timeit"])
def test_wrapping_cell_magics_run_their_code(magic: str) -> None:
    cell = convert(3, f"{magic}\nQ = 1\n")
    assert cell is not None and cell.kind == "code" and "Q = 1" in cell.source


def test_writefile_writes_a_file() -> None:
    cell = convert(2, "%%writefile mlp.py\nclass MLP: pass\n")
    assert cell is not None and (cell.kind, cell.path, cell.source) == ("writefile", "mlp.py", "class MLP: pass\n")


@pytest.mark.parametrize("magic", ["%%bash", "%%html", "%%javascript"])
def test_non_python_cells_are_dropped(magic: str) -> None:
    assert convert(1, f"{magic}\necho hi\n") is None


def test_cells_keep_their_jupyter_numbers() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("a = 1"),
                nbformat.v4.new_code_cell("b = 2")]
    cells = parse(nbformat.writes(nb).encode())
    assert [c.number for c in cells] == [2, 3]


@pytest.mark.parametrize(("raw", "message"), [
    (b"{not json", "not valid JSON"),
    (json.dumps({"hello": 1}).encode(), "not a notebook"),
    (json.dumps({"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}).encode(),
     "not a valid nbformat 4 notebook"),
    (b"\xff\xfe", "not valid JSON"),
])
def test_unreadable_notebooks_say_why(raw: bytes, message: str) -> None:
    with pytest.raises(NotebookError, match=message):
        parse(raw)
