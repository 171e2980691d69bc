"""Turning a notebook into the code a student would have run, cell by cell.

Line magics and shell lines are skipped; a cell magic that wraps Python still
runs it; ``%%writefile`` writes its file into the submission's folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

WRAPPING_MAGICS = {"time", "capture", "timeit", "prun", "debug"}
MAGIC_LINE = re.compile(r"^(\s*)(%|!|\w+\s*=\s*[!%])")
HELP_LINE = re.compile(r"^\s*[\w.]+\?{1,2}\s*$|^\s*\?{1,2}[\w.]+\s*$")
MAX_NOTEBOOK_BYTES = 32 << 20


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
    import nbformat  # imported here: .py submissions never pay for it

    try:
        notebook = nbformat.from_dict(data)
        nbformat.validate(notebook, version=4)
    except Exception as exc:  # nbformat raises several types for malformed documents
        raise NotebookError(f"not a valid nbformat 4 notebook ({_short(exc)})") from None
    cells = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.get("cell_type") == "code":
            converted = convert(number, _text(cell.get("source", "")))
            if converted is not None:
                cells.append(converted)
    return cells


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
