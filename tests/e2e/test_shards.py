"""``grader check --shard K/N`` and ``grader merge``: a class graded in parts is the class graded whole.

A class of 16 submissions of two assignments (and one of none) is graded whole, and in three
shards merged back; every student's items, points and feedback, the sheets and junit.xml must
be the same, apart from timings. Each refusal of ``merge`` is run for real where it can be
(another seed, another rubric, another class, a shard missing or unfinished) and by editing a
shard's record where no honest run can produce it (a student in two shards).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from grader import shards
from grader.errors import UsageError
from tests.conftest import EXAMPLES, ROOT, SOLUTIONS, TEMPLATES, run_grader

SEED = "777"


@pytest.fixture(scope="module")
def mixed_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shards") / "class"
    folder.mkdir()
    for assignment in ("jhu-hw3", "mit-backprop"):
        for entry in (EXAMPLES / assignment).iterdir():
            shutil.copy(entry, folder / entry.name)
    jhu, mit = (SOLUTIONS / "jhu_hw3.py").read_text(), (SOLUTIONS / "mit_backprop.py").read_text()
    (folder / "jhu_correct.py").write_text(jhu)
    (folder / "jhu_shape.py").write_text(jhu + "\nQ2B_GRADS = Q2B_GRADS.reshape(1, 3)\n")
    (folder / "jhu_raises.py").write_text(jhu + "\ndef grad_W(W, X):\n    raise ValueError('no')\n")
    (folder / "jhu_syntax.py").write_text('ASSIGNMENT = "jhu-hw3"\ndef f(:\n')
    shutil.copy(TEMPLATES / "jhu-hw3" / "jhu_hw3.py", folder / "jhu_blank.py")
    (folder / "mit_correct.py").write_text(mit)
    (folder / "Mit Copy (2).py").write_text(mit)
    (folder / "mit_syntax.py").write_text('ASSIGNMENT = "mit-backprop"\nx = (\n')
    (folder / "no_assignment.py").write_text("x = 1\n")
    return folder


def grade(folder: Path, out: Path, *extra: str) -> Any:
    done = run_grader("check", str(folder), "--out", str(out), "--no-progress", "--jobs", "2", *extra,
                      env={"SLURM_ARRAY_TASK_ID": "", "SLURM_ARRAY_TASK_COUNT": ""})
    return done


@pytest.fixture(scope="module")
def runs(mixed_class: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("runs")
    done = grade(mixed_class, tmp / "whole", "--seed", SEED)
    assert done.returncode == 0, done.stderr
    parts = []
    for k in (1, 2, 3):
        done = grade(mixed_class, tmp / f"part{k}", "--seed", SEED, "--shard", f"{k}/3")
        assert done.returncode == 0, done.stderr
        parts.append(tmp / f"part{k}")
    done = run_grader("merge", *map(str, reversed(parts)), "--out", str(tmp / "all"))
    assert done.returncode == 0, done.stderr
    return {"whole": tmp / "whole", "all": tmp / "all", "tmp": tmp, **{f"part{k}": p for k, p in enumerate(parts, 1)}}


def without_timings(report: dict[str, Any]) -> dict[str, Any]:
    report = dict(report)
    report.pop("created")
    for sub in report["submissions"]:
        sub.pop("seconds")
    return report


def test_three_shards_merged_are_the_class_graded_whole(runs: dict[str, Path]) -> None:
    whole = json.loads((runs["whole"] / "report.json").read_text())
    merged = json.loads((runs["all"] / "report.json").read_text())
    assert len(whole["submissions"]) == 16
    assert without_timings(merged) == without_timings(whole)
    for name in sorted(p.name for p in runs["whole"].glob("grades*.csv")):
        assert (runs["all"] / name).read_text() == (runs["whole"] / name).read_text(), name
    assert {p.name for p in runs["all"].glob("grades*.csv")} == {p.name for p in runs["whole"].glob("grades*.csv")}
    feedback = {p.name: p.read_text() for p in (runs["whole"] / "feedback").iterdir()}
    assert {p.name: p.read_text() for p in (runs["all"] / "feedback").iterdir()} == feedback
    untimed = [re.sub(r' time="[0-9.]+"', "", (runs[n] / "junit.xml").read_text()) for n in ("whole", "all")]
    assert untimed[0] == untimed[1]
    keys = [[json.loads(line)["key"] for line in (runs[n] / "results.jsonl").read_text().splitlines()]
            for n in ("whole", "all")]
    assert keys[0] == keys[1]


def test_every_student_is_in_exactly_one_shard_chosen_by_a_hash_of_the_id(runs: dict[str, Path]) -> None:
    students = [s["student"] for s in json.loads((runs["whole"] / "report.json").read_text())["submissions"]]
    seen: dict[str, int] = {}
    for k in (1, 2, 3):
        for sub in json.loads((runs[f"part{k}"] / "report.json").read_text())["submissions"]:
            assert sub["student"] not in seen
            seen[sub["student"]] = k
            assert k == int(hashlib.sha256(sub["student"].encode()).hexdigest()[:16], 16) % 3 + 1
    assert sorted(seen) == sorted(students)
    assert len(set(seen.values())) == 3  # 16 students make no empty shard here


def test_regrading_the_merged_folder_reuses_every_result(runs: dict[str, Path], mixed_class: Path) -> None:
    again = runs["tmp"] / "again"
    shutil.copytree(runs["all"], again)
    done = grade(mixed_class, again, "--seed", SEED)
    assert done.returncode == 0, done.stderr
    assert "graded 16 submissions (0 run, 16 reused)" in done.stderr
    done = run_grader("manual", str(again), "--student", "jhu_correct", "--item", "q1a/Q1A_DERIVATION",
                      "--points", "2", "--comment", "ok")
    assert done.returncode == 0, done.stderr
    sub = next(s for s in json.loads((again / "report.json").read_text())["submissions"]
               if s["student"] == "jhu_correct")
    assert sub["manual_points"] == 2


def test_shards_order_does_not_matter_and_the_merge_can_be_repeated(runs: dict[str, Path]) -> None:
    done = run_grader("merge", *(str(runs[f"part{k}"]) for k in (2, 1, 3)), "--out", str(runs["all"]))
    assert done.returncode == 0, done.stderr
    assert without_timings(json.loads((runs["all"] / "report.json").read_text())) == \
        without_timings(json.loads((runs["whole"] / "report.json").read_text()))


# -- refusals -------------------------------------------------------------------------------------


def merge_fails(runs: dict[str, Path], *folders: Path, out: str = "refused") -> str:
    done = run_grader("merge", *map(str, folders), "--out", str(runs["tmp"] / out))
    assert done.returncode == 2, done.stderr
    assert not (runs["tmp"] / out / "report.json").exists()
    return done.stderr


def test_merge_refuses_a_missing_shard(runs: dict[str, Path]) -> None:
    assert "shard 2 of 3 is missing" in merge_fails(runs, runs["part1"], runs["part3"])


def test_merge_refuses_a_shard_given_twice(runs: dict[str, Path]) -> None:
    copy = runs["tmp"] / "part1-copy"
    shutil.copytree(runs["part1"], copy, dirs_exist_ok=True)
    assert "both shard 1/3" in merge_fails(runs, runs["part1"], copy, runs["part2"], runs["part3"])


def test_merge_refuses_different_seeds(runs: dict[str, Path], mixed_class: Path) -> None:
    other = runs["tmp"] / "seed-part3"
    assert grade(mixed_class, other, "--seed", "778", "--shard", "3/3").returncode == 0
    assert "seeds differ" in merge_fails(runs, runs["part1"], runs["part2"], other)


def test_merge_refuses_different_rubrics(runs: dict[str, Path], mixed_class: Path) -> None:
    course = runs["tmp"] / "course"
    course.mkdir(exist_ok=True)
    for name in ("jhu-hw3.toml", "jhu-hw3.py"):
        shutil.copy(ROOT / "rubrics" / name, course / name)
    toml = course / "jhu-hw3.toml"
    toml.write_text(toml.read_text().replace("points = 2", "points = 4", 1))
    other = runs["tmp"] / "rubric-part2"
    done = grade(mixed_class, other, "--seed", SEED, "--shard", "2/3", "--rubrics", str(course))
    assert done.returncode == 0, done.stderr
    assert "different rubrics" in merge_fails(runs, runs["part1"], other, runs["part3"])


def test_merge_refuses_shards_of_another_class(runs: dict[str, Path], mixed_class: Path) -> None:
    smaller = runs["tmp"] / "smaller"
    shutil.copytree(mixed_class, smaller)
    (smaller / "jhu_blank.py").unlink()
    other = runs["tmp"] / "class-part3"
    assert grade(smaller, other, "--seed", SEED, "--shard", "3/3").returncode == 0
    assert "classes" in merge_fails(runs, runs["part1"], runs["part2"], other)


def test_merge_refuses_other_settings_and_versions(runs: dict[str, Path]) -> None:
    for key, value, word in (("grader_version", "0.0.1", "grader versions"), ("of", 4, "shard counts")):
        edited = runs["tmp"] / f"edited-{key}"
        shutil.copytree(runs["part3"], edited, dirs_exist_ok=True)
        manifest = json.loads((edited / shards.MANIFEST).read_text())
        manifest[key] = value
        (edited / shards.MANIFEST).write_text(json.dumps(manifest))
        assert word in merge_fails(runs, runs["part1"], runs["part2"], edited)


def test_merge_refuses_a_student_in_two_shards(runs: dict[str, Path]) -> None:
    edited = runs["tmp"] / "overlap-part3"
    shutil.copytree(runs["part3"], edited, dirs_exist_ok=True)
    manifest = json.loads((edited / shards.MANIFEST).read_text())
    taken = json.loads((runs["part1"] / shards.MANIFEST).read_text())["students"][0]
    manifest["students"].append(taken)
    (edited / shards.MANIFEST).write_text(json.dumps(manifest))
    assert f"{taken[1]!r} is in two shards" in merge_fails(runs, runs["part1"], runs["part2"], edited)


def test_merge_refuses_an_unfinished_shard_and_a_folder_that_is_no_shard(runs: dict[str, Path]) -> None:
    unfinished = runs["tmp"] / "unfinished-part2"
    shutil.copytree(runs["part2"], unfinished, dirs_exist_ok=True)
    state = json.loads((unfinished / "run.json").read_text())
    (unfinished / "run.json").write_text(json.dumps({**state, "state": "running"}))
    assert "did not finish" in merge_fails(runs, runs["part1"], unfinished, runs["part3"])
    assert "not the output folder of a `grader check --shard` run" in merge_fails(
        runs, runs["part1"], runs["whole"], runs["part3"])
    done = run_grader("merge", str(runs["part1"]), str(runs["part2"]), str(runs["part3"]), "--out",
                      str(runs["part1"]))
    assert done.returncode == 2 and "is one of the shards" in done.stderr


def test_an_unsharded_run_in_a_shard_folder_is_no_shard_any_more(runs: dict[str, Path], mixed_class: Path) -> None:
    folder = runs["tmp"] / "reused-part1"
    shutil.copytree(runs["part1"], folder, dirs_exist_ok=True)
    assert grade(mixed_class, folder, "--seed", SEED).returncode == 0
    assert not (folder / shards.MANIFEST).exists()


# -- where K/N come from --------------------------------------------------------------------------


def test_sharding_needs_a_seed(mixed_class: Path, tmp_path: Path) -> None:
    done = grade(mixed_class, tmp_path / "out", "--shard", "1/3")
    assert done.returncode == 2 and "--seed" in done.stderr
    done = run_grader("check", str(mixed_class), "--out", str(tmp_path / "out"),
                      env={"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "0"})
    assert done.returncode == 2 and "SLURM_ARRAY_TASK_ID=0" in done.stderr and "--seed" in done.stderr


def test_a_slurm_array_task_grades_its_shard(mixed_class: Path, runs: dict[str, Path], tmp_path: Path) -> None:
    done = run_grader("check", str(mixed_class), "--out", str(tmp_path / "out"), "--seed", SEED, "--no-progress",
                      env={"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "0",
                           "SLURM_ARRAY_TASK_STEP": "1"})
    assert done.returncode == 0, done.stderr
    assert "grading shard 2/3" in done.stderr
    students = [s["student"] for s in json.loads((tmp_path / "out" / "report.json").read_text())["submissions"]]
    assert students == [s["student"] for s in json.loads((runs["part2"] / "report.json").read_text())["submissions"]]


@pytest.mark.parametrize(("env", "expected"), [
    ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"}, (1, 4)),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"}, (4, 4)),
    ({"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, (1, 4)),
    ({"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, (4, 4)),
    ({"SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0",
      "SLURM_ARRAY_TASK_STEP": "4"}, (4, 4)),
    ({"JOB_COMPLETION_INDEX": "0", "GRADER_SHARD_COUNT": "5"}, (1, 5)),
    ({"JOB_COMPLETION_INDEX": "4", "GRADER_SHARD_COUNT": "5"}, (5, 5)),
    ({}, None),
])
def test_engine_variables_become_k_of_n(env: dict[str, str], expected: tuple[int, int] | None) -> None:
    shard = shards.from_environment(env)
    assert (None if shard is None else (shard.index, shard.count)) == expected


@pytest.mark.parametrize("env", [
    {"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"},
    {"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"},  # --array=1,3,7
    {"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "3"},
    {"JOB_COMPLETION_INDEX": "2"},
    {"JOB_COMPLETION_INDEX": "5", "GRADER_SHARD_COUNT": "5"},
])
def test_engine_variables_that_make_no_shard_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(UsageError):
        shards.from_environment(env)


@pytest.mark.parametrize("text", ["0/3", "4/3", "1", "a/b", "1/0", "-1/2"])
def test_shard_option_is_k_of_n_counted_from_one(text: str) -> None:
    with pytest.raises(UsageError, match="K counts from 1"):
        shards.parse(text)
