"""Build hook: the wheel ships the rubrics without their ``alternates``, and their profiles.

Students install the wheel for the self-test, which needs each item's name, kind, shape and
points, never the partial-credit conventions: an alternate's feedback hints at answers. The
checkout's ``rubrics/`` stays complete, and ``grader check`` reads it from there.

Alternates are removed line by line, so the packaged files keep their comments and layout, and
each result is checked against the parsed original: a rubric this cannot strip exactly stops
the build rather than ship a hint.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGED = "grader/_rubrics"
KEY = "alternates"

ALTERNATES_VALUE = re.compile(rf"\s*{KEY}\s*=")
ALTERNATES_TABLE = re.compile(rf"\s*\[\[[^\]]*\b{KEY}\s*\]\]")
TABLE_HEADER = re.compile(r"\s*\[")
KEY_VALUE = re.compile(r"\s*[\w\"'.-]+\s*=")
COMMENT = re.compile(r"\s*#")


class RubricBuildHook(BuildHookInterface):
    """Maps a stripped copy of each ``rubrics/*.toml`` to ``grader/_rubrics/`` in the wheel."""

    _staging: Path | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return  # an editable install imports grader from the checkout, next to rubrics/
        self._staging = Path(tempfile.mkdtemp(prefix="grader-rubrics-"))
        rubrics = Path(self.root, "rubrics")
        for source in sorted(rubrics.glob("*.toml")):
            stripped = self._staging / source.name
            stripped.write_text(strip_alternates(source.read_text(encoding="utf-8"), source.name),
                                encoding="utf-8")
            build_data["force_include"][str(stripped)] = f"{PACKAGED}/{source.name}"
        for profile in sorted(rubrics.glob("*.py")):  # an assignment's profile: code, no answers
            build_data["force_include"][str(profile)] = f"{PACKAGED}/{profile.name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None


def strip_alternates(text: str, name: str = "rubric") -> str:
    """``text`` without its ``alternates`` arrays, tables and the comments just above them."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if ALTERNATES_VALUE.match(lines[index]):
            end = _end_of_value(lines, index, name)
        elif ALTERNATES_TABLE.match(lines[index]):
            end = _end_of_table(lines, index, name)
        else:
            kept.append(lines[index])
            index += 1
            continue
        while kept and COMMENT.match(kept[-1]):
            kept.pop()  # a comment right above an alternate describes it
        index = end
    stripped = "".join(kept)
    _check(text, stripped, name)
    return stripped


def without_alternates(node: Any) -> Any:
    """A parsed TOML document with every ``alternates`` key removed, at any depth."""
    if isinstance(node, dict):
        return {key: without_alternates(value) for key, value in node.items() if key != KEY}
    if isinstance(node, list):
        return [without_alternates(value) for value in node]
    return node


def _end_of_value(lines: list[str], start: int, name: str) -> int:
    """The index after the last line of the key/value pair that starts at ``lines[start]``.

    The first run of lines that parses on its own is the whole pair: an array or a string that
    is still open does not parse.
    """
    for end in range(start + 1, len(lines) + 1):
        try:
            tomllib.loads("".join(lines[start:end]).lstrip())
        except tomllib.TOMLDecodeError:
            continue
        return end
    raise ValueError(f"{name}, line {start + 1}: cannot find the end of this value")


def _end_of_table(lines: list[str], start: int, name: str) -> int:
    """The index after the last key/value pair of the ``[[...alternates]]`` table at ``start``.

    Comments and blank lines after that pair stay: they belong to the next table.
    """
    index = end = start + 1
    while index < len(lines) and not TABLE_HEADER.match(lines[index]):
        if KEY_VALUE.match(lines[index]):
            index = end = _end_of_value(lines, index, name)
        else:
            index += 1
    return end


def _check(original: str, stripped: str, name: str) -> None:
    """Stop the build unless ``stripped`` is exactly ``original`` minus its alternates."""
    expected = without_alternates(tomllib.loads(original))
    try:
        actual = tomllib.loads(stripped)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{name}: removing the alternates broke the TOML ({error})") from error
    if actual != expected:
        raise ValueError(f"{name}: cannot remove the alternates line by line; write each one as "
                         f"'{KEY} = [...]' or as a '[[...{KEY}]]' table")
