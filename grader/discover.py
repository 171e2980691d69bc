"""Finding the submissions under the paths an instructor gives: folders, files or a .zip.

One student per entry: each file or folder directly under a PATH folder is one submission,
whatever it holds, so no upload can make itself or its neighbours something else. Only the
instructor's own structure is looked into: a .zip whose top level is a single folder (as LMS
exports are) is read inside that folder, with a note. Entries that cannot be submissions
(other file types, pipes, sockets, devices, the output folder, a folder of grader outputs)
are skipped and counted, never read.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader import names
from grader.assignments import implementation_files
from grader.errors import SubmissionPathError

SUFFIXES = (".py", ".ipynb")
GRADER_OUTPUTS = ("report.json", "run.json", "results.jsonl", ".grader.lock")
MAX_ZIP_BYTES = 2 << 30
MAX_ZIP_ENTRY_BYTES = 16 << 20
MAX_ZIP_ENTRIES = 100_000


@dataclass(frozen=True, slots=True)
class Found:
    """One submission: where it is, its student id, and its feedback file's name.

    Kept for every submission until the run ends, so it holds plain strings (a third of the
    memory of a ``Path`` and an instance dict): 10,000 of them cost 3 MB less.
    """

    student: str
    location: str
    display: str
    file_name: str = ""

    @property
    def path(self) -> Path:
        return Path(self.location)


@dataclass
class Discovery:
    """What a search found, and what it passed over."""

    found: list[Found] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)  # "a .pdf file" -> how many

    def ignored_text(self) -> str:
        """``2 .pdf files, 1 folder of grader outputs``, or ""."""
        return ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(self.ignored.items()))


def discover(paths: list[Path], scratch: Path, out: Path | None = None) -> Discovery:
    """Every submission directly under ``paths``, sorted by student id, ids made unique."""
    found = Discovery()
    skip = {out.resolve()} if out is not None else set()
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise SubmissionPathError(f"{path}: no such file or folder")
        if path.is_file() and path.suffix.lower() == ".zip":
            folder, inside = _extract(path, scratch, found)
            _entries(folder, f"{path}/{inside}".rstrip("/"), skip, found)
        elif path.is_dir() and not path.is_symlink():
            _entries(path, str(path), skip, found)
            for module in sorted(implementation_files() & {child.name for child in path.iterdir()}):
                found.notes.append(f"{path} holds {module}, an implementation module, so it may be one student's "
                                   "folder; each file in a PATH folder is graded as its own submission: pass the "
                                   "folder above it")
        else:
            found.found.append(_one(path, str(path)))
    _name(found)
    return found


def discover_one(path: Path) -> Discovery:
    """``path`` as one student's submission: a file, or a folder holding that student's files.

    A folder that holds nothing but one folder (an upload of a zipped folder) stands for it.
    """
    if not path.exists() and not path.is_symlink():
        raise SubmissionPathError(f"{path}: no such file or folder")
    if path.is_file() and path.suffix.lower() == ".zip":
        raise SubmissionPathError(f"{path}: a .zip is read as a class; give the unpacked submission")
    while path.is_dir() and not path.is_symlink():
        inside = [c for c in path.iterdir() if c.name not in names.SKIPPED and not c.name.startswith(".")]
        if len(inside) != 1 or not inside[0].is_dir() or inside[0].is_symlink():
            break
        path = inside[0]
    found = Discovery([_one(path, str(path))])
    _name(found)
    return found


def _entries(folder: Path, display: str, skip: set[Path], found: Discovery) -> None:
    for child in sorted(folder.iterdir()):
        kind = _kind(child, skip)
        if kind:
            found.ignored[kind] += 1
            if kind in ("the output folder", "folder of grader outputs", "named pipe, socket or device"):
                found.notes.append(f"skipped {child}: {kind.removeprefix('folder of ')}, not a submission")
            continue
        found.found.append(_one(child, f"{display.rstrip('/')}/{child.name}"))


def _kind(child: Path, skip: set[Path]) -> str:
    """Why ``child`` is not a submission ("" when it is one)."""
    if child.name in names.SKIPPED or child.name.startswith("."):
        return "hidden or system entry"
    try:
        mode = child.lstat().st_mode
    except OSError:
        return "unreadable entry"
    if stat.S_ISLNK(mode):
        return ""  # graded as an error that says links are never followed
    if stat.S_ISDIR(mode):
        if child.resolve() in skip:
            return "the output folder"
        if any((child / name).exists() for name in GRADER_OUTPUTS):
            return "folder of grader outputs"
        return ""
    if not stat.S_ISREG(mode):
        return "named pipe, socket or device"
    suffix = child.suffix.lower()
    if suffix in SUFFIXES:
        return ""
    return f"{suffix} file" if suffix and len(suffix) <= 12 and suffix[1:].isalnum() else "file of another type"


def _one(path: Path, display: str) -> Found:
    named = path if path.name else path.resolve()  # `grader check .`: the folder's own name
    raw = named.name if path.is_dir() and not path.is_symlink() else named.stem
    # A name's bytes that are not UTF-8 are shown as escapes (\xff): every output can write them.
    shown = display.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return Found(student=names.student_id(raw), location=str(path), display=shown)


def _name(found: Discovery) -> None:
    """Unique ids (with a note per collision) and feedback file names, sorted by id."""
    entries = sorted(found.found, key=lambda f: (names.key(f.student), f.display))
    ids, notes = names.unique_ids([(f.student, f.display) for f in entries],
                                  [lambda i: _full_name(entries[i]), lambda i: _with_folder(entries[i])])
    files = names.file_names(ids)
    found.found = [Found(i, f.location, f.display, n) for f, i, n in zip(entries, ids, files, strict=True)]
    found.notes += notes


def _full_name(entry: Found) -> str:
    """The entry's whole name: ``alice.ipynb`` beside ``alice.py``, ``alice/`` for a folder."""
    path = entry.path
    return names.student_id(path.name + ("/" if path.is_dir() and not path.is_symlink() else ""))


def _with_folder(entry: Found) -> str:
    """The whole name after the folder it came from: two PATHs may both hold ``alice.py``."""
    return names.student_id(f"{Path(entry.display).parent.name}/{_full_name(entry)}")


def _extract(archive: Path, scratch: Path, found: Discovery) -> tuple[Path, str]:
    """Unpack a class zip safely; the folder that holds the class (inside lone top folders),
    and its path inside the archive."""
    target = Path(tempfile.mkdtemp(prefix="zip-", dir=scratch))
    try:
        with zipfile.ZipFile(archive) as bundle:
            total = 0
            for number, info in enumerate(bundle.infolist()):
                if number >= MAX_ZIP_ENTRIES:
                    found.notes.append(f"{archive.name}: only its first {MAX_ZIP_ENTRIES} entries were read")
                    break
                reason = _unsafe(info)
                if reason:
                    found.notes.append(f"{archive.name}: skipped entry {info.filename!r}: {reason}")
                    continue
                total += _copy(bundle, info, target, archive.name, found)
                if total > MAX_ZIP_BYTES:
                    raise SubmissionPathError(f"{archive}: unpacks to more than {MAX_ZIP_BYTES >> 30} GiB")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise SubmissionPathError(f"{archive}: not a readable zip file ({exc})") from None
    folder = _inside_lone_folders(target, archive, found)
    return folder, folder.relative_to(target).as_posix().removeprefix(".")


def _copy(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, name: str, found: Discovery) -> int:
    """Unpack one entry, reading at most ``MAX_ZIP_ENTRY_BYTES`` whatever its header says."""
    dest = target / PurePosixPath(info.filename.replace("\\", "/"))
    if info.is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        return 0
    if info.file_size > MAX_ZIP_ENTRY_BYTES:
        found.notes.append(f"{name}: skipped entry {info.filename!r}: larger than {MAX_ZIP_ENTRY_BYTES >> 20} MiB")
        return 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with bundle.open(info) as source, open(dest, "wb") as sink:
        shutil.copyfileobj(_Capped(source, MAX_ZIP_ENTRY_BYTES), sink)
        copied = sink.tell()
    if copied > MAX_ZIP_ENTRY_BYTES:
        os.unlink(dest)
        found.notes.append(f"{name}: skipped entry {info.filename!r}: unpacks to more than "
                           f"{MAX_ZIP_ENTRY_BYTES >> 20} MiB")
        return 0
    return copied


class _Capped:
    """A reader that stops one byte past ``limit``: a lying header cannot make it read more."""

    def __init__(self, source: object, limit: int) -> None:
        self.source = source
        self.left = limit + 1

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.source.read(size) if size > 0 else b""  # type: ignore[attr-defined]
        self.left -= len(data)
        return data


def _unsafe(info: zipfile.ZipInfo) -> str:
    name = PurePosixPath(info.filename.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts:
        return "its path leaves the archive"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return "not a file or a folder"
    return ""


def _inside_lone_folders(root: Path, archive: Path, found: Discovery) -> Path:
    """LMS zips often wrap the class in one folder: descend while the top holds only a folder.

    This looks at the archive's top level only, which the instructor's LMS makes, never inside
    a student's upload.
    """
    while True:
        children = [c for c in root.iterdir() if c.name not in names.SKIPPED]
        if len(children) != 1 or not children[0].is_dir():
            return root
        root = children[0]
        found.notes.append(f"{archive.name} holds only the folder {root.name!r}: its entries are the submissions")
