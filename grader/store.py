"""Results on disk: streamed as they come, reused when unchanged, written atomically.

``results.jsonl`` gets one line per graded submission, keyed by everything
that can change a result. ``run.json`` records the seed and whether the run
finished, so an interrupted run resumes with the same seed.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from grader.errors import OutputInUse, SandboxError, UsageError

RESULTS = "results.jsonl"
FEEDBACK = "feedback"  # the folder of per-student feedback files, beside RESULTS
LOCK = ".grader.lock"  # held by the one grader process writing the folder (see ``output_lock``)
_SERIAL = itertools.count()
# ``atomic_open`` writes into ".<name>.<pid>.<serial>.tmp" first (see ``_temporary``).
_TMP_NAME = re.compile(r"^\..+\.(\d+)\.\d+\.tmp$")


class StoreCorrupted(SandboxError):
    """results.jsonl changed under the grader's feet."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} was modified by something other than the grader during the run (a submission "
            "writing to the output folder? Without bubblewrap submissions can reach any file). "
            "No report was written; run again with bubblewrap to grade the class.")
STATE = "run.json"


@contextmanager
def output_lock(out: Path, command: str) -> Iterator[None]:
    """Hold the output folder, creating it, for this process alone while the block runs.

    A second grader writing the same folder would interleave its results with this one's, so
    it is refused, with the holder named. The kernel drops the lock when its holder exits, even
    when killed: a lock never outlives its process.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(out / LOCK, "a+", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the reports here ({exc.strerror or exc})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read(300).strip() or "another grader process"
            raise OutputInUse(f"{out} is being written by {holder}; wait for it to finish, or use "
                              "another output folder") from None
        except OSError:
            pass  # a file system without locks: run unguarded, as before locks existed
        handle.seek(0)
        handle.truncate()
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        handle.write(f"`grader {command}` (pid {os.getpid()}, started {started})\n")
        handle.flush()
        yield


def atomic_write(path: Path, text: str, *, durable: bool = False) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new file, never a torn one."""
    with atomic_open(path, durable=durable) as handle:
        handle.write(text)


class AtomicFile:
    """A text file whose content replaces ``path`` only when ``commit`` is called.

    ``durable`` also survives a power cut (fsync); a killed grader never tears a file either way.
    """

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.durable = path, durable
        self.tmp = _temporary(path)
        self.handle: IO[str] = open(self.tmp, "x", encoding="utf-8", newline="")

    def commit(self) -> None:
        self.handle.flush()
        if self.durable:
            os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.handle.close()
        self.tmp.unlink(missing_ok=True)


@contextmanager
def atomic_open(path: Path, *, durable: bool = True) -> Iterator[IO[str]]:
    """A text handle whose content replaces ``path`` only once the block ends without error."""
    target = AtomicFile(path, durable=durable)
    try:
        yield target.handle
    except BaseException:
        target.discard()
        raise
    target.commit()


def _temporary(path: Path) -> Path:
    """Where ``atomic_open`` writes ``path`` until it is complete (a name ``_TMP_NAME`` matches)."""
    return path.parent / f".{path.name}.{os.getpid()}.{next(_SERIAL)}.tmp"


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the half-written files of graders that were killed while writing into ``folder``.

    Only ``atomic_open``'s own names are touched, and only those of processes no longer running
    (another grader writing into the same folder keeps its files).
    """
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = _TMP_NAME.match(name)
        if match and not _running(int(match.group(1))):
            Path(folder, name).unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        pass  # someone else's process, or no pid at all: keep the file
    return True


def result_key(**parts: Any) -> str:
    """The key deciding whether a stored result can be reused."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


class Store:
    """The output folder's results file and run state."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.out.mkdir(parents=True, exist_ok=True)
        self.path = out / RESULTS
        self.index: dict[str, tuple[int, int]] = {}
        self.current: dict[str, str] = {}
        for folder in (out, out / FEEDBACK):
            remove_stale_temporaries(folder)
        self._load_index()
        self._handle = open(self.path, "ab")

    def _load_index(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, "rb") as handle:
            offset = 0
            for line in handle:
                if line.endswith(b"\n"):
                    key = _key_of(line)
                    if key:
                        self.index[key] = (offset, len(line))
                offset += len(line)
        if offset and not _ends_with_newline(self.path):
            with open(self.path, "ab") as handle:
                handle.write(b"\n")  # a line torn by a kill: start the next one cleanly

    def seed(self, requested: int | None) -> tuple[int, bool]:
        """The run's seed: as requested, else an interrupted run's, else a fresh one."""
        state = self.state()
        if requested is not None:
            return requested, state.get("state") == "running" and state.get("seed") == requested
        if state.get("state") == "running" and isinstance(state.get("seed"), int):
            return state["seed"], True
        return secrets.randbits(31), False

    def state(self) -> dict[str, Any]:
        try:
            data = json.loads((self.out / STATE).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def mark(self, **state: Any) -> None:
        atomic_write(self.out / STATE, json.dumps(state, indent=2) + "\n")

    def cached(self, key: str) -> bool:
        return key in self.index

    def add(self, student: str, key: str, report: dict[str, Any]) -> None:
        """Append one result (a report dumped as JSON data) so that a killed grader keeps it."""
        line = json.dumps({"key": key, "report": report}).encode() + b"\n"
        offset = self._handle.tell()
        self._handle.write(line)
        self._handle.flush()
        self.index[key] = (offset, len(line))
        self.current[student] = key

    def use(self, student: str, key: str) -> None:
        self.current[student] = key

    def read(self, key: str) -> dict[str, Any]:
        """The stored report of ``key`` as plain JSON data."""
        offset, length = self.index[key]
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            line = handle.read(length)
        try:
            data = json.loads(line)
            if data["key"] != key:
                raise ValueError("key mismatch")
            return data["report"]
        except (ValueError, KeyError, TypeError):
            raise StoreCorrupted(self.path) from None

    def close(self) -> None:
        self._handle.close()

    def compact(self, students: list[str]) -> None:
        """Keep only this run's lines, in student order."""
        self._handle.flush()
        index: dict[str, tuple[int, int]] = {}
        offset = 0
        with open(self.path, "rb") as handle, atomic_open(self.path) as out:
            for student in students:
                key = self.current[student]
                start, length = self.index[key]
                handle.seek(start)
                line = handle.read(length)
                if not line.startswith(_prefix(key)):
                    raise StoreCorrupted(self.path)
                out.write(line.decode())
                index[key] = (offset, length)  # what the lines are is checked again when read
                offset += length
        self._handle.close()
        self.index = index
        self._handle = open(self.path, "ab")


def _prefix(key: str) -> bytes:
    """How ``Store.add`` starts the line of ``key``."""
    return json.dumps({"key": key, "report": None}).encode()[: -len(" null}")]


def _key_of(line: bytes) -> str:
    try:
        data = json.loads(line)
    except ValueError:
        return ""
    return data.get("key", "") if isinstance(data, dict) else ""


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"
