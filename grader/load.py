"""Reading one submission from disk into memory, without running any of it.

Finds the theory module (the file that sets ``ASSIGNMENT``), turns it into
cells, and hashes the content so unchanged submissions are never re-graded.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from grader.assignments import implementation_files
from grader.names import SKIPPED
from grader.notebook import Cell, NotebookError, parse

MAX_FILE_BYTES = 16 << 20
MAX_SUBMISSION_BYTES = 48 << 20
MAX_FILES = 200
MAX_NOTES = 5  # skipped files named one by one; the rest are counted
SOURCE_SUFFIXES = (".py", ".ipynb")
ASSIGNMENT_LINE = re.compile(rb"""(?:^|"|\\n)[ \t]*ASSIGNMENT\s*=\s*\\?(['"])([A-Za-z0-9_.-]+)\\?\1""", re.M)
DEFINITION = re.compile(r"^(?:async\s+)?(?:def|class)\s+(\w+)|^(\w+)\s*(?::[^=]*)?=(?!=)", re.M)


@dataclass
class Submission:
    """One student's files and what could be learnt from them statically."""

    student: str
    source: str
    files: dict[str, bytes] = field(default_factory=dict)
    entry: str = ""
    cells: list[Cell] = field(default_factory=list)
    assignment: str | None = None
    content_hash: str = ""
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    defines: dict[str, list[int]] = field(default_factory=dict)

    @property
    def is_notebook(self) -> bool:
        return self.entry.endswith(".ipynb")


def load(student: str, path: Path, display: str, *, newer_of_a_pair: bool = False) -> Submission:
    """Read a file or folder submission; problems become ``error``, never exceptions.

    With ``newer_of_a_pair`` (the self-test, on a student's own machine), a folder that holds
    both forms of one template, ``x.py`` and ``x.ipynb``, is read through the one changed last.
    """
    sub = Submission(student=student, source=display)
    try:
        sub.files = _read_files(path, sub.warnings)
    except OSError as exc:
        sub.error = f"cannot read {display}: {exc.strerror or exc}"
        return sub
    sub.content_hash = _hash(sub.files)
    if sub.error or not sub.files:
        sub.error = sub.error or f"{display} holds no files"
        return sub
    _find_entry(sub, single=path.is_file(), pair_in=path if newer_of_a_pair else None)
    if not sub.error:
        _read_entry(sub)
    return sub


def _read_files(path: Path, warnings: list[str]) -> dict[str, bytes]:
    if path.is_symlink():
        raise OSError(f"{path.name} is a symbolic link; a submission must be a regular file or folder")
    if path.is_file():
        return {path.name: _read_capped(path)}
    files: dict[str, bytes] = {}
    skipped: Counter[str] = Counter()
    total = 0
    for root, dirs, names in os.walk(path, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not Path(root, d).is_symlink())
        for name in sorted(names):
            full = Path(root, name)
            relative = full.relative_to(path).as_posix()
            why = _not_readable(full, len(files), total)
            if why:
                skipped[why] += 1
                if skipped[why] <= MAX_NOTES:
                    warnings.append(f"skipped {relative}: {why}")
                continue
            files[relative] = _read_capped(full)
            total += len(files[relative])
    for why, count in skipped.items():
        if count > MAX_NOTES:
            warnings.append(f"skipped {count - MAX_NOTES} more files: {why}")
    return files


def _not_readable(path: Path, count: int, total: int) -> str:
    """Why a file of a folder submission is not read ("" when it is)."""
    try:
        info = path.lstat()
    except OSError:
        return "it cannot be read"
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link (links are never followed)"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, socket or device)"
    if count >= MAX_FILES or total + info.st_size > MAX_SUBMISSION_BYTES:
        return f"the submission exceeds its cap of {MAX_FILES} files and {MAX_SUBMISSION_BYTES >> 20} MiB"
    return ""


def _read_capped(path: Path) -> bytes:
    """A regular file's bytes: opened without following a link or blocking on a pipe, checked
    again once open, and never more than ``MAX_FILE_BYTES`` read."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise OSError(f"{path.name} is larger than {MAX_FILE_BYTES >> 20} MiB")
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(f"{path.name} is larger than {MAX_FILE_BYTES >> 20} MiB")
    return data


def _hash(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _find_entry(sub: Submission, *, single: bool, pair_in: Path | None = None) -> None:
    """The theory module: the only source file, or the one that sets ASSIGNMENT."""
    sources = [n for n in sub.files if n.endswith(SOURCE_SUFFIXES) and "/" not in n]
    if single:
        if not sources:
            sub.error = f"{sub.source} is not a .py or .ipynb file"
            return
        sub.entry = sources[0]
        return
    setting = [n for n in sources if sniff_assignment(sub.files[n])]
    candidates = setting or [n for n in sources if n not in implementation_files()]
    if pair_in is not None and _is_pair(candidates):
        newer = max(candidates, key=lambda name: (pair_in / name).stat().st_mtime)
        sub.warnings.append(f"both {' and '.join(sorted(candidates))} set ASSIGNMENT: checking {newer}, the one "
                            "changed last; hand in only one of them")
        candidates = [newer]
    if len(candidates) == 1:
        sub.entry = candidates[0]
    elif not candidates:
        sub.error = f"{sub.source} has no .py or .ipynb file at its top level"
    else:
        sub.error = f"{sub.source}: several files could be the theory module ({', '.join(sorted(candidates))}); exactly one should set ASSIGNMENT"


def _is_pair(names: list[str]) -> bool:
    """Whether ``names`` are one template's two forms: ``x.py`` and ``x.ipynb``."""
    stems = {Path(n).stem for n in names}
    return len(names) == 2 and len(stems) == 1 and {Path(n).suffix for n in names} == {".py", ".ipynb"}


def sniff_assignment(raw: bytes) -> str | None:
    """The ASSIGNMENT a .py or .ipynb file sets, read from its raw bytes without parsing."""
    match = ASSIGNMENT_LINE.search(raw[: 4 << 20])
    return match.group(2).decode() if match else None


def _read_entry(sub: Submission) -> None:
    raw = sub.files[sub.entry]
    if sub.is_notebook:
        try:
            sub.cells = parse(raw)
        except NotebookError as exc:
            sub.error = f"{sub.entry}: {exc}"
            sub.assignment = sniff_assignment(raw)
            return
    else:
        try:
            text = _decode_python(raw)
        except (SyntaxError, UnicodeDecodeError) as exc:
            sub.error = f"{sub.entry}: cannot decode the file as text ({_reason(exc)})"
            sub.assignment = sniff_assignment(raw)
            return
        sub.cells = [Cell(1, "code", text)]
    sub.assignment = _assignment(sub)
    sub.defines = _definitions(sub.cells) if sub.is_notebook else {}


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"byte 0x{exc.object[exc.start]:02x} at position {exc.start} is not valid {exc.encoding}"
    return str(exc)


def _decode_python(raw: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    return raw.decode(encoding).lstrip("\ufeff")


def _assignment(sub: Submission) -> str | None:
    for cell in sub.cells:
        match = ASSIGNMENT_LINE.search(cell.source.encode("utf-8", "replace"))
        if match:
            return match.group(2).decode()
    return None


def _definitions(cells: list[Cell]) -> dict[str, list[int]]:
    """Which cells assign or define each top-level name (for 'which cell was meant to define it')."""
    defines: dict[str, list[int]] = {}
    for cell in cells:
        for name in _names_defined(cell.source) if cell.kind == "code" else ():
            defines.setdefault(name, []).append(cell.number)
    return defines


def _names_defined(source: str) -> set[str]:
    """Top-level ``def``, ``class`` and assignment targets, found by a cheap line scan."""
    return {a or b for a, b in DEFINITION.findall(source)}
