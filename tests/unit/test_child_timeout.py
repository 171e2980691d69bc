"""A step's limit holds in the child even when the student's code catches the timeout."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.harness import child

SWALLOW = """
import time
end = time.monotonic() + 0.5
while time.monotonic() < end:
    try:
        time.sleep(max(0.0, end - time.monotonic()))
    except BaseException:
        pass
value = 1
"""


@pytest.fixture
def alarm() -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, child.on_alarm)
    yield
    signal.signal(signal.SIGALRM, previous)


def cell(source: str, limit: float, item: str = "") -> dict[str, object]:
    return {"op": "cell", "filename": "<cell 1>", "source": source, "limit": limit, "item": item}


def test_a_swallowed_timeout_is_still_a_timeout(alarm: None, tmp_path: Path) -> None:
    spaces = child.Namespaces({}, str(tmp_path))
    result = child.timed(cell(SWALLOW, 0.2, item="q/x"), spaces)
    assert result["status"] == "timeout"
    assert spaces.theory["value"] == 1  # the code did run on past its limit
    assert child.timed(cell("value = 2", 1.0, item="q/x"), spaces) == {"status": "skipped"}


def test_a_step_within_its_limit_is_not_blamed_for_an_earlier_timeout(alarm: None, tmp_path: Path) -> None:
    spaces = child.Namespaces({}, str(tmp_path))
    assert child.timed(cell(SWALLOW, 0.2), spaces)["status"] == "timeout"
    assert child.timed(cell("value = 3", 1.0), spaces) == {"status": "ok"}
    assert child.timed(cell("raise ValueError('x')", 1.0), spaces)["status"] == "raised"
