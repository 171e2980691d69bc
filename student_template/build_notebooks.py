"""Build each student notebook from its percent-format .py template.

    python student_template/build_notebooks.py          # write the .ipynb next to each template
    python student_template/build_notebooks.py --check  # exit 1 if a notebook is out of date

The templates use the "percent" cell format that jupytext reads: a line `# %%` starts a code
cell and a line `# %% [markdown]` a markdown cell, whose lines lose their `# ` prefix.
Only the standard library and nbformat are needed.

Two kinds of code cell are rewritten for the notebook:

- A cell whose first line is `# include: FILE` becomes the cells of FILE, a percent-format
  file next to the template. nyu-hw1 includes its `mlp.py` this way. A notebook submission
  has no `mlp.py`, so the notebook must define `MLP` and the two losses itself; the .py
  template must not define them, since a folder submission's implementation is its `mlp.py`.
  Including the file keeps a single copy of the course's skeleton.
- A cell that starts with `# Self-test:` tells a .py user to run `grader selftest`. In the
  notebook it becomes a markdown note and the code cell `import grader; grader.check()`.

Cell ids come from the cell's position, so rebuilding an unchanged template rewrites the
same bytes. `--check` compares only cell types and sources.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import NamedTuple

import nbformat

HERE = Path(__file__).resolve().parent
TEMPLATES = (
    "jhu-hw3/jhu_hw3.py",
    "mit-backprop/mit_backprop.py",
    "mit-unit3/mit_unit3.py",
    "nyu-hw1/nyu_hw1.py",
)

CELL_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
INCLUDE = re.compile(r"^# include: (?P<file>\S+)$")
SELF_TEST_PREFIX = "# Self-test:"
SELF_TEST_NOTE = (
    "**Self-test.** Run every cell above, then the cell below. `grader.check()` checks the "
    "names defined in this notebook's live namespace: that each one is there, with the "
    "kind and shape it should have. Passing it is not a grade: it does not know the answers."
)
SELF_TEST_CODE = "import grader; grader.check()"
NOTEBOOK_METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


class Cell(NamedTuple):
    cell_type: str  # "code" or "markdown"
    source: str


SELF_TEST_CELLS = (Cell("markdown", SELF_TEST_NOTE), Cell("code", SELF_TEST_CODE))
CELL_FACTORIES = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}


def parse_cells(text: str, origin: str) -> list[Cell]:
    """Split percent-format text into cells, dropping empty ones."""
    cells: list[Cell] = []
    cell_type, lines = "code", []
    for line in text.splitlines():
        marker = CELL_MARKER.match(line)
        if marker is None:
            lines.append(line)
            continue
        cells.append(_make_cell(cell_type, lines, origin))
        cell_type = "markdown" if marker["rest"].strip() == "[markdown]" else "code"
        lines = []
    cells.append(_make_cell(cell_type, lines, origin))
    return [cell for cell in cells if cell.source]


def _make_cell(cell_type: str, lines: list[str], origin: str) -> Cell:
    if cell_type == "markdown":
        lines = [_uncomment(line, origin) for line in lines]
    return Cell(cell_type, "\n".join(lines).strip("\n"))


def _uncomment(line: str, origin: str) -> str:
    if line in ("", "#"):
        return ""
    if line.startswith("# "):
        return line[2:]
    raise ValueError(f"{origin}: a markdown cell line must start with '# ': {line!r}")


def notebook_cells(template: Path) -> list[Cell]:
    """The cells of the notebook built from `template`, includes and self-test expanded."""
    cells: list[Cell] = []
    for cell in parse_cells(template.read_text(encoding="utf-8"), template.name):
        include = INCLUDE.match(cell.source.split("\n", 1)[0])
        if cell.cell_type == "code" and include is not None:
            included = template.parent / include["file"]
            cells.extend(parse_cells(included.read_text(encoding="utf-8"), included.name))
        elif cell.cell_type == "code" and cell.source.startswith(SELF_TEST_PREFIX):
            cells.extend(SELF_TEST_CELLS)
        else:
            cells.append(cell)
    return cells


def build_notebook(cells: list[Cell]) -> nbformat.NotebookNode:
    """A validated nbformat v4 notebook holding `cells`."""
    notebook = nbformat.v4.new_notebook(metadata=NOTEBOOK_METADATA)
    for index, cell in enumerate(cells):
        new_cell = CELL_FACTORIES[cell.cell_type]
        notebook.cells.append(new_cell(cell.source, id=f"cell-{index}"))
    nbformat.validate(notebook)
    return notebook


def is_current(template: Path) -> bool:
    """Whether the committed notebook has the cells the template builds."""
    path = template.with_suffix(".ipynb")
    if not path.exists():
        return False
    committed = nbformat.read(path, as_version=4)
    actual = [Cell(cell.cell_type, cell.source) for cell in committed.cells]
    return actual == notebook_cells(template)


def write_notebook(template: Path) -> Path:
    """Build the notebook of `template` and write it next to it."""
    path = template.with_suffix(".ipynb")
    notebook = build_notebook(notebook_cells(template))
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the student notebooks.")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a committed notebook is out of date"
    )
    args = parser.parse_args(argv)
    templates = [HERE / name for name in TEMPLATES]
    if args.check:
        stale = [template for template in templates if not is_current(template)]
        for template in stale:
            print(
                f"out of date: {template.with_suffix('.ipynb').relative_to(HERE)}; "
                "run python student_template/build_notebooks.py",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for template in templates:
        print(f"wrote {write_notebook(template).relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
