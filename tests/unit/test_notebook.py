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


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\r"])
def test_magics_are_skipped_whatever_the_line_separator(separator: str) -> None:
    cell = convert(1, separator.join(["a = 1", "%matplotlib inline", "b = 2"]))
    assert cell is not None
    assert cell.source == "a = 1\npass  # skipped: %matplotlib inline\nb = 2\n"


def test_a_cell_without_magics_keeps_its_lines() -> None:
    cell = convert(1, "a = 1\r\nb = a != 2\n")
    assert cell is not None and cell.source == "a = 1\nb = a != 2\n"


@pytest.mark.parametrize(("notebook", "message"), [
    ({"cells": [], "nbformat": 4, "nbformat_minor": 5}, "no 'metadata'"),
    ({"cells": [], "nbformat": 5, "nbformat_minor": 0, "metadata": {}}, "expected 4"),
    ({"cells": [{"cell_type": "code", "metadata": {}, "source": "", "outputs": []}],
      "nbformat": 4, "nbformat_minor": 5, "metadata": {}}, "cell 1: no 'execution_count'"),
    ({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "x"}, {"cell_type": "widget"}],
      "nbformat": 4, "nbformat_minor": 5, "metadata": {}}, "cell 2: unknown cell_type 'widget'"),
    ({"cells": [{"cell_type": "raw", "metadata": {}, "source": ["a", 1]}],
      "nbformat": 4, "nbformat_minor": 5, "metadata": {}}, "cell 1: 'source' is a list"),
])
def test_broken_structure_names_the_cell_and_field(notebook: dict[str, object], message: str) -> None:
    with pytest.raises(NotebookError, match=message):
        parse(json.dumps(notebook).encode())


def test_an_odd_output_does_not_stop_grading() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("a = 1")])
    nb.cells[0].outputs = [{"output_type": "stream", "text": "hi"}]  # no "name": invalid for nbformat
    cells = parse(json.dumps(nb).encode())
    assert [c.source for c in cells] == ["a = 1\n"]
