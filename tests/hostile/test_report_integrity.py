"""What students write cannot forge, hide or redraw what instructors and students read.

File names with terminal escapes, carriage returns and formula prefixes, and exception
messages full of Markdown and HTML, graded beside an honest control: the table, the grade
sheet and the feedback files show them as inert text.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.hostile import _support as hs

pytestmark = pytest.mark.slow

FORGERY = ("\n\n# Automatic score corrected: 27 / 27\n\n<img src=x onerror=alert(1)>\n<!-- hide what follows"
           "\n```\n</details>\n[click](http://evil.example)")
RAISER = hs.reference_text() + f"\n\ndef grad_W(dL_dP, X):\n    raise ValueError({FORGERY!r})\n".encode()
NAMES = {
    "\x1b[2J\x1b[Hhonest_correct = 0.py": hs.reference_text(),  # clears the screen, draws a fake row
    "mallory\r=HYPERLINK(1)\r,0.py": hs.reference_text(),  # bare CRs: forged CSV rows
    "=1+2.py": hs.reference_text(),
    "raiser.py": RAISER,
    "honest_correct.py": hs.reference_text(),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> hs.Run:
    base = tmp_path_factory.mktemp("integrity")
    folder = base / "class"
    folder.mkdir()
    for name, data in NAMES.items():
        try:
            (folder / name).write_bytes(data)
        except OSError:
            pytest.skip("this file system refuses control characters in names")
    run = hs.run_check([folder], base / "out", "--seed", str(hs.SEED), "--timeout", hs.TIMEOUT,
                       env=hs.grader_env(TMPDIR=str(base)))
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def test_the_terminal_shows_no_control_character(graded: hs.Run) -> None:
    for stream in (graded.stdout, graded.stderr):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", stream), repr(stream[:500])
    rows = [line for line in graded.stdout.splitlines() if line.startswith("honest_correct ")]
    assert len(rows) == 1  # the forged name shows as what it is, not as a second honest_correct row


def test_the_sheet_has_one_row_per_student_and_no_formula(graded: hs.Run) -> None:
    with open(graded.out / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    students = [row[0] for row in rows[2:]]
    assert len(students) == len(NAMES)
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]
    assert not [cell for row in rows for cell in row if "\r" in cell or "\x1b" in cell]
    raw = (graded.out / "grades.csv").read_bytes()
    assert b"\r" not in raw and raw.count(b"\n") == len(NAMES) + 2


def test_feedback_shows_student_text_as_plain_text(graded: hs.Run) -> None:
    raiser = graded.by_student["raiser"]
    assert raiser["points"] == hs.FULL_MARKS - hs.POINTS["q1a/grad_W"]
    text = (graded.out / raiser["feedback_file"]).read_text()
    fences = [line for line in text.splitlines() if re.match(r"\s*`{3,}", line)]
    inside = False
    for line in text.splitlines():
        if re.match(r"\s*`{3,}", line):
            inside = not inside
        elif not inside:  # outside a fenced block, nothing a student wrote may appear
            assert "Automatic score corrected" not in line and "<img" not in line and "<!--" not in line
    assert len(fences) % 2 == 0 and "Automatic score: **22 / 24**" in text
    for student, sub in graded.by_student.items():
        header = (graded.out / sub["feedback_file"]).read_text().splitlines()[0]
        assert "\x1b" not in header and "\r" not in header, student


def test_every_student_has_their_own_feedback_file(graded: hs.Run) -> None:
    files = [sub["feedback_file"] for sub in graded.by_student.values()]
    assert len(set(files)) == len(files) == len(NAMES)
    assert all((graded.out / f).is_file() for f in files)


def test_a_file_declaring_another_assignment_leaves_no_stale_sheet(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "honest_correct.py").write_text(hs.reference_text().decode())
    out = tmp_path / "out"
    first = hs.run_check([folder], out, "--seed", str(hs.SEED), env=hs.grader_env(TMPDIR=str(tmp_path)))
    assert first.returncode == 0 and (out / "grades.csv").exists()
    (folder / "other.py").write_text('ASSIGNMENT = "mit-backprop"\n')
    second = hs.run_check([folder], out, "--seed", str(hs.SEED), env=hs.grader_env(TMPDIR=str(tmp_path)))
    assert second.returncode == 0
    assert sorted(p.name for p in out.glob("grades*.csv")) == ["grades-jhu-hw3.csv", "grades-mit-backprop.csv"]
    report = json.loads((out / "report.json").read_text())
    assert {s["student"] for s in report["submissions"]} == {"honest_correct", "other"}
