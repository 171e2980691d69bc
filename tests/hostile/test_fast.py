"""The fast mode: a few cheap hostile cases with the default options (no --jobs, no --sandbox).

The default ``--jobs`` is the CPU count (2 on the CI machines), which is the grader's fast mode,
so nothing else is set. Only cases that wait for no time limit are here, so this module is not
marked slow; test_hostile.py runs the whole corpus.
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile import _support as hs
from tests.hostile.cases import FAST_CASES, check_case


def test_fast_mode_grades_cheap_hostile_cases(tmp_path: Path) -> None:
    class_dir = tmp_path / "class"
    files = [p.name for p in hs.CORPUS.iterdir() if p.is_file() and p.name.split(".")[0] in FAST_CASES]
    assert len(files) == len(FAST_CASES)
    hs.build_class(class_dir, files, {}, "hostile-fast")
    hs.honest_files(class_dir)
    before = hs.tree_digest(class_dir)
    run = hs.run_check([class_dir], tmp_path / "out", "--seed", str(hs.SEED),
                       env=hs.grader_env(TMPDIR=str(tmp_path)))
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.seconds < 30
    assert sorted(run.by_student) == sorted([*FAST_CASES, "honest_correct", "honest_partial"])
    for case in [*FAST_CASES, "honest_correct", "honest_partial"]:
        check_case(case, run.by_student[case])
    assert hs.tree_digest(class_dir) == before

