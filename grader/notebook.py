"""Turning a notebook into the code a student would have run, cell by cell.

Line magics and shell lines are skipped; a cell magic that wraps Python still
runs it; ``%%writefile`` writes its file into the submission's folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

WRAPPING_MAGICS = {"time", "capture", "timeit", "prun", "debug"}
MAGIC_LINE = re.compile(r"^(\s*)(%|!|\w+\s*=\s*[!%])")
HELP_LINE = re.compile(r"^\s*[\w.]+\?{1,2}\s*$|^\s*\?{1,2}[\w.]+\s*$")
MAX_NOTEBOOK_BYTES = 32 << 20
# nbformat 4's required fields of each cell type, and their JSON types.
_COMMON = (("metadata", dict), ("source", (str, list)))
CELL_FIELDS: dict[str, tuple[tuple[str, type | tuple[type, ...]], ...]] = {
    "code": (*_COMMON, ("outputs", list), ("execution_count", (int, type(None)))),
    "markdown": _COMMON,
    "raw": _COMMON,
}


@dataclass(frozen=True)
class Cell:
    """One code cell as the grader runs it: ``code`` or ``writefile``."""

    number: int
    kind: str
    source: str
    path: str = ""
    append: bool = False

    @property
    def filename(self) -> str:
        return f"<cell {self.number}>"


class NotebookError(ValueError):
    """The file is not a notebook the grader can read."""


def parse(raw: bytes) -> list[Cell]:
    """The notebook's code cells, numbered as Jupyter shows them (1-based over all cells)."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise NotebookError(f"not valid JSON ({_short(exc)})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("valid JSON, but not a notebook (no 'cells' list)")
    if type(data.get("nbformat")) is not int or data["nbformat"] < 4:
        raise NotebookError("not an nbformat 4 notebook (its 'nbformat' version field is missing or old); "
                            "save it again from Jupyter")
    problem = structure_problem(data)
    if problem:
        raise NotebookError(f"not a valid nbformat 4 notebook ({problem})")
    cells = []
    for number, cell in enumerate(data["cells"], start=1):
        if cell["cell_type"] == "code":
            converted = convert(number, _text(cell["source"]))
            if converted is not None:
                cells.append(converted)
    return cells


def structure_problem(data: dict[str, Any]) -> str:
    """What breaks nbformat 4's required structure of the notebook and its cells, else "".

    Only what grading reads is checked. The contents of outputs and metadata are not, so a
    notebook with an odd output (which the grader never runs or shows) is still graded, and
    checking costs microseconds where nbformat's full schema validation costs a millisecond.
    """
    if data.get("nbformat") != 4:
        return f"nbformat is {data.get('nbformat')!r}, expected 4"
    for key, kind in (("metadata", dict), ("nbformat_minor", int)):
        if not isinstance(data.get(key), kind):
            return f"the notebook has no {key!r} {kind.__name__}"
    for number, cell in enumerate(data["cells"], start=1):
        problem = _cell_problem(cell)
        if problem:
            return f"cell {number}: {problem}"
    return ""


def _cell_problem(cell: object) -> str:
    if not isinstance(cell, dict):
        return "not an object"
    required = CELL_FIELDS.get(cell.get("cell_type"))  # type: ignore[arg-type]
    if required is None:
        return f"unknown cell_type {str(cell.get('cell_type'))[:40]!r}"
    for key, kinds in required:
        if key not in cell:
            return f"no {key!r}"
        if not isinstance(cell[key], kinds):
            return f"{key!r} has the wrong type"
    source = cell["source"]
    if isinstance(source, list) and not all(isinstance(line, str) for line in source):
        return "'source' is a list that holds something other than strings"
    return ""


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _text(source: object) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def convert(number: int, source: str) -> Cell | None:
    """One cell's source as Python, or None for a cell that runs no Python."""
    lines = source.splitlines()
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic, _, rest = first[2:].partition(" ")
        body = "\n".join(lines[1:]) + "\n"
        if magic == "writefile":
            append = rest.split()[:1] == ["-a"]
            path = rest.split()[-1] if rest.split() else ""
            return Cell(number, "writefile", body, path=path, append=append)
        if magic in WRAPPING_MAGICS:
            return Cell(number, "code", _strip_magics(body))
        return None
    return Cell(number, "code", _strip_magics(source))


def _strip_magics(source: str) -> str:
    """Replace IPython-only lines by ``pass`` at the same indentation, so the cell still parses."""
    if "%" not in source and "!" not in source and "?" not in source:  # then no line can match
        return "\n".join(source.splitlines()) + "\n"
    out = []
    for line in source.splitlines():
        match = MAGIC_LINE.match(line)
        if (match and not _is_python(line)) or HELP_LINE.match(line):
            indent = match.group(1) if match else line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}pass  # skipped: {line.strip()[:60]}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _is_python(line: str) -> bool:
    """``x = y % 2`` is Python; ``x = %timeit f()`` and ``%matplotlib inline`` are not."""
    stripped = line.strip()
    if stripped.startswith(("%", "!")):
        return False
    return not re.match(r"^\w+\s*=\s*[!%]", stripped)
