"""Finding the submissions under the paths an instructor gives: folders, files or a .zip."""

from __future__ import annotations

import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.errors import SubmissionPathError

SUFFIXES = (".py", ".ipynb")
MAX_ZIP_BYTES = 2 << 30
SKIPPED_NAMES = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".DS_Store"}


@dataclass(frozen=True, slots=True)
class Found:
    """One submission: a file or a folder, with its student id.

    Kept for every submission until the run ends, so it holds plain strings (a third of the
    memory of a ``Path`` and an instance dict): 10,000 of them cost 3 MB less.
    """

    student: str
    location: str
    display: str

    @property
    def path(self) -> Path:
        return Path(self.location)


def discover(paths: list[Path], scratch: Path, notes: list[str]) -> list[Found]:
    """Every submission directly under ``paths``, sorted by student id, ids made unique."""
    found: list[Found] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise SubmissionPathError(f"{path}: no such file or folder")
        if path.is_file() and path.suffix.lower() == ".zip":
            found += _entries(_extract(path, scratch, notes), str(path))
        elif path.is_dir() and not path.is_symlink():
            found += _entries(path, str(path))
            if (path / "mlp.py").is_file():
                notes.append(f"{path} holds mlp.py, so it may be one student's nyu-hw1 folder; each file "
                             "in a PATH folder is graded as its own submission: pass the folder above it")
        else:
            found.append(_one(path, str(path)))
    return _unique(sorted(found, key=lambda f: (f.student.casefold(), f.display)))


def discover_one(path: Path) -> list[Found]:
    """``path`` as one student's submission: a file, or a folder holding that student's files.

    A folder that holds nothing but one folder (an upload of a zipped folder) stands for it.
    """
    if not path.exists() and not path.is_symlink():
        raise SubmissionPathError(f"{path}: no such file or folder")
    if path.is_file() and path.suffix.lower() == ".zip":
        raise SubmissionPathError(f"{path}: a .zip is read as a class; give the unpacked submission")
    while path.is_dir() and not path.is_symlink():
        inside = [c for c in path.iterdir() if c.name not in SKIPPED_NAMES and not c.name.startswith(".")]
        if len(inside) != 1 or not inside[0].is_dir() or inside[0].is_symlink():
            break
        path = inside[0]
    return [_one(path, str(path))]


def _entries(folder: Path, display: str) -> list[Found]:
    entries = []
    for child in sorted(folder.iterdir()):
        if child.name in SKIPPED_NAMES or child.name.startswith("."):
            continue
        if child.is_dir() or child.suffix.lower() in SUFFIXES or child.is_symlink():
            entries.append(_one(child, f"{display.rstrip('/')}/{child.name}"))
    return entries


def _one(path: Path, display: str) -> Found:
    student = path.name if path.is_dir() and not path.is_symlink() else path.stem
    return Found(student=student, location=str(path), display=display)


def _unique(found: list[Found]) -> list[Found]:
    """Two submissions with one id (``alice.py`` and ``alice.ipynb``) keep their full names."""
    counts: dict[str, int] = {}
    for f in found:
        counts[f.student] = counts.get(f.student, 0) + 1
    return [Found(f.path.name, f.location, f.display) if counts[f.student] > 1 else f for f in found]


def _extract(archive: Path, scratch: Path, notes: list[str]) -> Path:
    """Unpack a class zip safely: no absolute or ``..`` paths, no links, a size cap."""
    target = Path(tempfile.mkdtemp(prefix="zip-", dir=scratch))
    try:
        with zipfile.ZipFile(archive) as bundle:
            total = 0
            for info in bundle.infolist():
                reason = _unsafe(info)
                if reason:
                    notes.append(f"{archive.name}: skipped entry {info.filename!r}: {reason}")
                    continue
                total += info.file_size
                if total > MAX_ZIP_BYTES:
                    raise SubmissionPathError(f"{archive}: unpacks to more than 2 GiB")
                bundle.extract(info, target)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionPathError(f"{archive}: not a readable zip file ({exc})") from None
    return _single_folder(target)


def _unsafe(info: zipfile.ZipInfo) -> str:
    name = PurePosixPath(info.filename.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts:
        return "its path leaves the archive"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    return ""


def _single_folder(root: Path) -> Path:
    """LMS zips often wrap the class in one folder: descend into it."""
    while True:
        children = [c for c in root.iterdir() if c.name not in SKIPPED_NAMES]
        if len(children) != 1 or not children[0].is_dir():
            return root
        inner = [c for c in children[0].iterdir() if c.name not in SKIPPED_NAMES]
        if sum(1 for c in inner if c.is_file() and c.suffix in SUFFIXES and _sets_assignment(c)) == 1:
            return root  # the single folder is itself one student's submission
        root = children[0]


def _sets_assignment(path: Path) -> bool:
    try:
        return b"ASSIGNMENT" in path.read_bytes()[:200_000]
    except OSError:
        return False
