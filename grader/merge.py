"""``grader merge OUT1 OUT2 ... --out ALL``: the shards' output folders joined into one.

    read each shard.json -> check they fit -> results.jsonl + run.json -> every file output

The merged folder is what one ``grader check`` of the whole class with that seed writes,
apart from timings: its results.jsonl holds every stored result in the class's order, its
run.json says the run is complete with that seed, and report.json, the grade sheets, the
feedback files and junit.xml are written by the same outputs as a run's (``write_all``),
with the manual scores of ``ALL/manual.csv``. So ``grader check`` resumes in it (reusing every
result) and ``grader manual`` works on it. Shards that do not fit are refused, each with why:
different seeds, grader versions, settings, classes, rubrics or ``--assignment``, a student in
two shards, a shard missing or given twice, a shard that did not finish.
"""

from __future__ import annotations

import heapq
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader import manual, shards
from grader.errors import UsageError
from grader.store import RESULTS, STATE, AtomicFile, atomic_write, output_lock

SAME = ("seed", "grader_version", "settings", "class", "of")  # every shard must agree on these


@dataclass
class Merged:
    """What a merge wrote."""

    shards: int
    students: int


def merge(folders: list[Path], out: Path) -> Merged:
    """Join the shards in ``folders`` into ``out`` (see the module's docstring)."""
    if out.resolve() in {folder.resolve() for folder in folders}:
        raise UsageError(f"--out {out} is one of the shards: merge into a new folder")
    manifests = [shards.read(folder) for folder in folders]
    _check(folders, manifests)
    with output_lock(out, "merge"):
        _results(folders, manifests, out)
        first = manifests[0]
        atomic_write(out / STATE, json.dumps({"state": "complete", "seed": first["seed"],
                                              "grader_version": first["grader_version"],
                                              "merged": len(folders)}, indent=2) + "\n")
        (out / shards.MANIFEST).unlink(missing_ok=True)
        _outputs(out, manifests)
    return Merged(len(folders), first["class"]["students"])


def _check(folders: list[Path], manifests: list[dict[str, Any]]) -> None:
    first = manifests[0]
    for folder, manifest in zip(folders, manifests, strict=True):
        for key in SAME:
            if manifest.get(key) != first.get(key):
                raise UsageError(f"{folder} and {folders[0]} are shards of different runs: their {_word(key)} "
                                 f"differ ({_show(manifest.get(key))} and {_show(first.get(key))})")
    rubrics: dict[str, tuple[str, Path]] = {}
    for folder, manifest in zip(folders, manifests, strict=True):
        for name, assignment in manifest["assignments"].items():
            digest, seen = assignment["rubric"], rubrics.setdefault(name, (assignment["rubric"], folder))
            if seen[0] != digest:
                raise UsageError(f"{folder} and {seen[1]} graded {name} with different rubrics: grade every shard "
                                 "with the same rubric")
    _check_coverage(folders, manifests)


def _check_coverage(folders: list[Path], manifests: list[dict[str, Any]]) -> None:
    count = manifests[0]["of"]
    given: dict[int, Path] = {}
    for folder, manifest in zip(folders, manifests, strict=True):
        if manifest["shard"] in given:
            raise UsageError(f"{folder} and {given[manifest['shard']]} are both shard {manifest['shard']}/{count}")
        given[manifest["shard"]] = folder
    missing = [str(k) for k in range(1, count + 1) if k not in given]
    if missing:
        raise UsageError(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {count} "
                         f"{'are' if len(missing) > 1 else 'is'} missing: give every shard's output folder")
    owner: dict[str, Path] = {}
    for folder, manifest in zip(folders, manifests, strict=True):
        for _, student in manifest["students"]:
            if student in owner:
                raise UsageError(f"the student {student!r} is in two shards, {owner[student]} and {folder}")
            owner[student] = folder
    if len(owner) != manifests[0]["class"]["students"]:
        raise UsageError(f"the shards hold {len(owner)} students but the class has "
                         f"{manifests[0]['class']['students']}")


def _word(key: str) -> str:
    return {"of": "shard counts (N)", "class": "classes (the submissions found)", "grader_version": "grader versions",
            "settings": "settings (torch, sandbox, --timeout, --memory or --assignment)"}.get(key, key + "s")


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 120 else text[:119] + "…"


def _lines(folder: Path, manifest: dict[str, Any]) -> Iterator[tuple[Any, int, bytes]]:
    """``(place in the class, shard, line)`` for each stored result of a shard, in its order."""
    students = iter(manifest["students"])
    with open(folder / RESULTS, "rb") as handle:
        for line in handle:
            place, student = next(students, (None, None))
            try:
                stored = json.loads(line)["report"]["student"]
            except (ValueError, KeyError, TypeError):
                stored = None
            if stored is None or stored != student:
                raise UsageError(f"{folder}/{RESULTS} does not match its {shards.MANIFEST}: run that shard's "
                                 "`grader check` again")
            yield place, manifest["shard"], line
    if next(students, None) is not None:
        raise UsageError(f"{folder}/{RESULTS} lacks some of its students' results: run that shard's "
                         "`grader check` again")


def _results(folders: list[Path], manifests: list[dict[str, Any]], out: Path) -> None:
    """One results.jsonl, every stored line in the class's order."""
    target = AtomicFile(out / RESULTS)
    try:
        for _, _, line in heapq.merge(*(_lines(f, m) for f, m in zip(folders, manifests, strict=True))):
            target.handle.write(line.decode())
    except BaseException:
        target.discard()
        raise
    target.commit()


def _outputs(out: Path, manifests: list[dict[str, Any]]) -> None:
    from grader.outputs import QuestionColumn, RunInfo, SheetPlan, feedback, write_all
    from grader.report import RunHeader

    first = manifests[0]
    columns = {name: tuple(QuestionColumn(*column) for column in assignment["columns"])
               for manifest in manifests for name, assignment in manifest["assignments"].items()}
    names = sorted(columns)
    header = RunHeader(grader_version=first["grader_version"], assignment=names[0] if len(names) == 1 else None,
                       seed=first["seed"], sandbox=first["settings"]["sandbox"], torch=first["settings"]["torch"],
                       created=datetime.now(UTC).isoformat(timespec="seconds"))
    rubrics = {name: assignment["rubric"][:12]
               for manifest in manifests for name, assignment in manifest["assignments"].items()}
    info = RunInfo(header=header, out=out, plan=SheetPlan(dict(sorted(columns.items()))),
                   students=first["class"]["students"], rubrics=rubrics)
    entries = manual.read(out)

    def reports() -> Iterator[Any]:
        from grader.report import SubmissionReport

        with open(out / RESULTS, "rb") as handle:
            for line in handle:
                report = manual.apply(SubmissionReport.model_validate(json.loads(line)["report"]), entries)
                feedback.write(out, report)  # a folder merged into before may hold an older one
                yield report

    write_all(info, reports(), None, io.StringIO())
