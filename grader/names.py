"""Student ids and output file names: readable, and unique by construction.

An id comes from a file or folder name, which a student may choose freely: any length, any
character, control characters included. ``student_id`` makes it printable and bounded;
``unique_ids`` resolves collisions (``alice.py`` and ``alice.ipynb``, or two classes that
both hold ``alice``) and checks the result again; ``file_names`` gives every student a
feedback file name that is safe on any file system and unique even where names are
compared without case or Unicode normalization (macOS, Windows).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable

SKIPPED = frozenset({"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".DS_Store", ".git"})  # never read
MAX_ID = 100  # characters of an id
MAX_FILE_NAME = 100  # bytes of a feedback file name's stem (a file system allows 255 in all)
UNSAFE = re.compile(r"[^\w .()+,@-]")


def student_id(name: str) -> str:
    """A file or folder name as an id: NFC, control and other invisible characters as '?',
    at most ``MAX_ID`` characters (a cut id ends with a hash of the whole)."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(c if c.isprintable() else "?" for c in text).strip() or "?"
    if len(text) > MAX_ID:
        text = f"{text[:MAX_ID - 10]}~{_digest(name)}"
    return text


def key(text: str) -> str:
    """How file systems may compare two names: without case, in one normal form."""
    return unicodedata.normalize("NFC", text).casefold()


def unique_ids(candidates: list[tuple[str, str]],
               qualifiers: list[Callable[[int], str]]) -> tuple[list[str], list[str]]:
    """Ids for ``candidates`` (id, source) with no two alike under ``key``; and notes naming
    each collision and how it was resolved.

    Members of a colliding group get the next of ``qualifiers`` (e.g. the full file name,
    then the folder it came from), least-qualified members first, until nothing collides or
    the qualifiers run out; whatever still collides gets a number. Every renaming is checked
    against all the other ids, so a new id never takes an existing one.
    """
    ids = [name for name, _ in candidates]
    first = _collisions(ids)
    level = [0] * len(ids)
    while groups := _collisions(ids):
        progressed = False
        for group in groups:
            lowest = min(level[i] for i in group)
            for i in (i for i in group if level[i] == lowest and lowest < len(qualifiers)):
                renamed = qualifiers[level[i]](i)
                level[i] += 1
                progressed |= renamed != ids[i]
                ids[i] = renamed
        if not progressed and all(level[i] >= len(qualifiers) for g in groups for i in g):
            break
    for group in _collisions(ids):
        for number, i in enumerate(group[1:], start=2):
            ids[i] = _numbered(ids[i], number, {key(x) for x in ids})
    assert not _collisions(ids)
    notes = [f"one student id '{candidates[g[0]][0]}' for several submissions "
             f"({', '.join(candidates[i][1] for i in g)}): graded apart as "
             f"{', '.join(repr(ids[i]) for i in g)}; merge them by hand if they are one student's" for g in first]
    return ids, notes


def _numbered(text: str, number: int, taken: set[str]) -> str:
    while key(candidate := f"{text} ({number})") in taken:
        number += 1
    return candidate


def _collisions(ids: list[str]) -> list[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(ids):
        groups[key(text)].append(i)
    return [group for group in groups.values() if len(group) > 1]


def file_names(ids: Iterable[str]) -> list[str]:
    """A feedback file stem for each id: safe characters, bounded length, unique under ``key``.

    An id that had to change gets a hash of itself, so that ids that differ only in what was
    replaced still get different files.
    """
    names = []
    for text in ids:
        safe = UNSAFE.sub("_", text).strip(" .") or "_"
        cut = safe.encode()[:MAX_FILE_NAME].decode(errors="ignore")
        names.append(cut if cut == text else f"{cut[:MAX_FILE_NAME - 9]}-{_digest(text)}")
    for group in _collisions(names):
        for number, i in enumerate(group[1:], start=2):
            names[i] = _numbered(names[i], number, {key(x) for x in names})
    return names


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]
