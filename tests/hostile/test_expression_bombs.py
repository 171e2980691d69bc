"""Expression answers as an attack surface: every bomb is a clean `wrong`, in bounded time.

The grader evaluates expression strings itself, in the parent (``grader.expr``). Each case is the
correct mit-unit3 submission with one expression answer replaced by something hostile: deep
nesting, towers of powers, huge literals, long and very long strings, unicode digits and names
that look like code, a str subclass with booby-trapped methods, and many strings at once. The
whole class is graded in one run; each bomb must cost its own item only, as `wrong`, with short
feedback, and the run must finish well inside its time limit.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, run_grader

CORRECT = (EXAMPLES / "mit-unit3" / "ada_correct.py").read_text(encoding="utf-8")

# name -> (item, Python expression for its new value). The values are written into the file.
BOMBS: dict[str, tuple[str, str]] = {
    "power_tower": ("MAX_GAP_BETA1", '"9^9^9^9"'),
    "e_tower": ("MAX_GAP_BETA1", '"e^e^e^e^e^e"'),
    "huge_literal": ("MAX_GAP_BETA1", '"1e999999999"'),
    "huge_integer_power": ("MAX_GAP_BETA1", '"10^400000000"'),
    "deep_parentheses": ("MAX_GAP_BETA1", '"(" * 100_000 + "1" + ")" * 100_000'),
    "deep_calls": ("MAX_GAP_BETA1", '"exp(" * 5_000 + "0" + ")" * 5_000'),
    "deep_signs": ("MAX_GAP_BETA1", '"-" * 100_000 + "1"'),
    "long_string": ("MAX_GAP_BETA1", '"1+" * 500_000 + "1"'),
    "megabyte_of_digits": ("MAX_GAP_BETA1", '"7" * 1_000_000'),
    "unicode_digits": ("MAX_GAP_BETA1", '"\\u0666.\\u0669\\u0660\\u0667"'),
    "fullwidth_digits": ("MAX_GAP_BETA1", '"\\uff16.\\uff19\\uff10\\uff17"'),
    "import_in_string": ("MAX_GAP_BETA1", '"__import__(\'os\').system(\'touch /tmp/pwned-by-expression\')"'),
    "dunder_name": ("MAX_GAP_BETA1", '"exp.__class__"'),
    "python_power": ("MAX_GAP_BETA1", '"9**9**9**9"'),
    "nul_and_controls": ("MAX_GAP_BETA1", '"6.907\\x00\\x1b[2J"'),
    "empty_string": ("MAX_GAP_BETA1", '""'),
    "str_subclass": ("MAX_GAP_BETA1", "_Trap('ln(999)')"),  # read as the plain string: right, and no trap sprung
    "many_strings": ("OUTPUT_O1", '["1+1+1+1+1+1+1+1+1+1" * 20] * 9_000'),
    "bomb_in_array": ("FEED_FORWARD_O", '["e^15/(e^15+1)", "9^9^9^9^9^9"]'),
}

HARMLESS = {"str_subclass"}  # the right answer in a hostile wrapper: correct, not wrong

TRAP = '''
class _Trap(str):
    """Its methods misbehave: the grader must read it as a plain string, or not at all."""
    def __str__(self):
        raise RuntimeError("trap")
    def __len__(self):
        while True:
            pass
    def strip(self, *args):
        while True:
            pass
'''

TIMEOUT = 30


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict[str, Any]], float]:
    root = tmp_path_factory.mktemp("bombs")
    folder = root / "class"
    folder.mkdir()
    for case, (name, value) in BOMBS.items():
        line = (TRAP if "_Trap" in value else "") + f"{name} = {value}"
        source, count = re.subn(rf"^{name} = .*$", lambda _: line, CORRECT, count=1, flags=re.M)  # noqa: B023
        assert count == 1
        (folder / f"{case}.py").write_text(source, encoding="utf-8")
    (folder / "honest.py").write_text(CORRECT, encoding="utf-8")
    started = time.monotonic()
    done = run_grader("check", str(folder), "--out", str(root / "out"), "--seed", "3", "--no-progress",
                      "--timeout", str(TIMEOUT), "--jobs", "2")
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((root / "out" / "report.json").read_text())
    return {s["student"]: s for s in report["submissions"]}, seconds


def _items(submission: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["name"]: i for q in submission["questions"] for i in q["items"]}


@pytest.mark.parametrize("case", sorted(BOMBS))
def test_a_bomb_is_a_clean_wrong_of_its_own_item(graded: tuple[dict[str, dict[str, Any]], float], case: str) -> None:
    reports, _ = graded
    name = BOMBS[case][0]
    report = reports[case]
    assert report["status"] == "graded", report["error"]
    items = _items(report)
    expected = "correct" if case in HARMLESS else "wrong"
    assert items[name]["outcome"] == expected, items[name]["feedback"]
    assert len(items[name]["feedback"]) < 1000
    others = {n: i["outcome"] for n, i in items.items() if n != name}
    assert set(others.values()) == {"correct"}, others
    lost = 0 if case in HARMLESS else {"MAX_GAP_BETA1": 1, "OUTPUT_O1": 3, "FEED_FORWARD_O": 2}[name]
    assert report["points"] == 36 - lost


def test_the_honest_submission_is_untouched(graded: tuple[dict[str, dict[str, Any]], float]) -> None:
    reports, _ = graded
    assert reports["honest"]["points"] == 36


def test_no_bomb_runs_code(graded: tuple[dict[str, dict[str, Any]], float]) -> None:
    assert not Path("/tmp/pwned-by-expression").exists()


def test_the_bombs_cost_no_time(graded: tuple[dict[str, dict[str, Any]], float]) -> None:
    """Not a benchmark: a bound far above the normal cost (a second or two) and far below what an
    unbounded evaluator would take (a power tower alone would never finish)."""
    _, seconds = graded
    assert seconds < TIMEOUT
