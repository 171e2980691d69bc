"""Grading one part of a class on each of N machines: ``grader check --shard K/N``.

A student belongs to shard ``sha256(student id) mod N`` (plus one: K counts from 1). The ids
are those of the whole class, computed before the class is split, so a student's id, feedback
file and shard do not depend on the order of the files or on the other shards. Every shard
must be given the same ``--seed``: the probes, and so the results, depend on it.

Where K/N come from when ``--shard`` is not given (``from_environment``):

- Slurm job arrays: ``SLURM_ARRAY_TASK_ID``, counted from ``SLURM_ARRAY_TASK_MIN`` in steps of
  ``SLURM_ARRAY_TASK_STEP``, and ``SLURM_ARRAY_TASK_COUNT``: ``--array=0-3`` and ``--array=1-4``
  both make the shards 1/4 to 4/4.
- Kubernetes indexed Jobs: ``JOB_COMPLETION_INDEX`` (from 0) and ``GRADER_SHARD_COUNT``, which
  the Job's manifest sets to its ``completions`` (Kubernetes does not pass the count itself).
- A CI matrix passes its value explicitly: ``--shard ${{ matrix.shard }}/4``.

A shard's output folder gets ``shard.json`` (``MANIFEST``): K and N, the seed, the grader's
version, the settings a result depends on, each assignment's rubric digest and sheet columns,
the class (its size and a digest of every id) and this shard's students with their place in
the class. ``grader merge`` checks the shards against each other with it (``grader.merge``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.discover import Discovery
from grader.errors import UsageError
from grader.store import atomic_write

MANIFEST = "shard.json"


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (from 1) of ``count``, and where that was read."""

    index: int
    count: int
    source: str = "--shard"

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass
class ClassPart:
    """One shard's students, and the class they were taken from."""

    shard: Shard
    class_size: int
    class_digest: str
    places: dict[str, int]  # student -> place in the whole class's order


def parse(text: str, source: str = "--shard") -> Shard:
    """``K/N`` with 1 <= K <= N."""
    k, slash, n = text.strip().partition("/")
    try:
        index, count = int(k), int(n)
    except ValueError:
        index = count = 0
    if not slash or not 1 <= index <= count:
        raise UsageError(f"{source} {text!r}: expected K/N with 1 <= K <= N, e.g. 2/4 (K counts from 1)")
    return Shard(index, count, source)


def from_environment(env: Mapping[str, str]) -> Shard | None:
    """The shard a Slurm array task or a Kubernetes indexed Job is, or None (an empty variable
    counts as unset)."""
    if env.get("SLURM_ARRAY_TASK_ID") and env.get("SLURM_ARRAY_TASK_COUNT"):
        task, count = _int(env, "SLURM_ARRAY_TASK_ID"), _int(env, "SLURM_ARRAY_TASK_COUNT")
        first, step = _int(env, "SLURM_ARRAY_TASK_MIN", 0), _int(env, "SLURM_ARRAY_TASK_STEP", 1)
        offset = task - first
        if step < 1 or offset % step:
            raise UsageError(f"SLURM_ARRAY_TASK_ID={task} is not on the array's steps (min {first}, step {step})")
        source = f"SLURM_ARRAY_TASK_ID={task} of SLURM_ARRAY_TASK_COUNT={count}"
        if not 0 <= offset // step < count:
            raise UsageError(f"{source}: the array must be one range, e.g. --array=0-{count - 1}")
        return Shard(offset // step + 1, count, source)
    if env.get("JOB_COMPLETION_INDEX"):
        if not env.get("GRADER_SHARD_COUNT"):
            raise UsageError("JOB_COMPLETION_INDEX is set but GRADER_SHARD_COUNT is not: set it to the Job's "
                             "completions, or pass --shard K/N")
        index, count = _int(env, "JOB_COMPLETION_INDEX"), _int(env, "GRADER_SHARD_COUNT")
        source = f"JOB_COMPLETION_INDEX={index} of GRADER_SHARD_COUNT={count}"
        if not 0 <= index < count:
            raise UsageError(f"{source}: the index must be below the count")
        return Shard(index + 1, count, source)
    return None


def _int(env: Mapping[str, str], name: str, default: int | None = None) -> int:
    if not env.get(name) and default is not None:
        return default
    try:
        return int(env[name])
    except ValueError:
        raise UsageError(f"{name}={env[name]!r} is not a whole number") from None


def shard_of(student: str, count: int) -> int:
    """The shard (from 1) a student id belongs to: a stable hash of the id, whatever else is graded."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select(found: Discovery, shard: Shard) -> tuple[Discovery, ClassPart]:
    """The class's submissions that belong to ``shard``, and what ``merge`` will check."""
    ids = [f.student for f in found.found]
    digest = hashlib.sha256("\0".join(sorted(ids)).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    places = {f.student: place for place, f in enumerate(found.found) if shard_of(f.student, shard.count) == shard.index}
    kept = Discovery([f for f in found.found if f.student in places], found.notes, found.ignored)
    return kept, ClassPart(shard, len(ids), digest, places)


def record(out: Path, part: ClassPart | None, run: dict[str, Any]) -> None:
    """Write the shard's manifest into ``out`` (``run``: seed, grader version, settings and
    assignments), or remove an earlier run's when this one is not a shard."""
    if part is None:
        (out / MANIFEST).unlink(missing_ok=True)
        return
    manifest = {"shard": part.shard.index, "of": part.shard.count, **run,
                "class": {"students": part.class_size, "digest": part.class_digest},
                "students": sorted(([place, student] for student, place in part.places.items()))}
    atomic_write(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")


def read(out: Path) -> dict[str, Any]:
    """A shard's manifest; a folder that is no finished shard is a usage error."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        state = json.loads((out / "run.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"{out}: not the output folder of a `grader check --shard` run ({Path(exc.filename).name} "
                         "is missing)") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{out}: cannot read its shard record ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(state, dict):
        raise UsageError(f"{out}: its shard record is malformed")
    if state.get("state") != "complete" or state.get("seed") != manifest.get("seed"):
        raise UsageError(f"{out}: shard {manifest.get('shard')}/{manifest.get('of')} did not finish; run its "
                         "`grader check` again to complete it")
    return manifest
