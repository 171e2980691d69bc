"""The child's result frames and the parent's reading of them, without a sandbox.

The child batches results into few frames; the parent must still time every slow step,
and name the right culprit when a run dies between two frames.
"""

from __future__ import annotations

import json
import os
import struct
import time
from pathlib import Path
from typing import Any

import pytest

from grader.execute import OVERRUN_TOLERANCE, SubmissionJob
from grader.harness import child
from grader.load import Submission
from grader.plan import SharedSteps, Step
from grader.sandbox.pool import RunExit

CALL_LIMIT = 3.0
VALUE_LIMIT = 5.0


def _job() -> SubmissionJob:
    """A job of one load step (0), then item q/f: its lookup (1) and two calls (2, 3); then item q/v (4)."""
    sub = Submission(student="s", source="s.py", files={"s.py": b"x = 1\n"}, entry="s.py")
    load = [Step({"op": "cell", "source": "x = 1\n", "filename": "s.py"}, 10.0, cell=1)]
    items = [Step({"op": "value", "name": "f"}, VALUE_LIMIT, item="q/f"),
             Step({"op": "call", "name": "f"}, CALL_LIMIT, item="q/f", probe=0),
             Step({"op": "call", "name": "f"}, CALL_LIMIT, item="q/f", probe=1),
             Step({"op": "value", "name": "v"}, VALUE_LIMIT, item="q/v")]
    job = SubmissionJob(sub, load, SharedSteps.of(items), timeout=60.0, limits={})
    assert job.next_run() is not None
    return job


OK = {"status": "ok", "value": {"t": "float", "v": 1.0}}


def test_a_batch_of_results_is_kept_in_full() -> None:
    job = _job()
    job.on_frame({"k": "begin", "step": 0})
    job.on_frame({"k": "done", "results": [[0, OK], [1, OK], [2, OK], [3, OK], [4, OK]], "next": None})
    assert sorted(job.results) == [0, 1, 2, 3, 4]
    assert job.failures == {}


def test_the_last_step_of_a_late_batch_is_a_timeout() -> None:
    job = _job()
    job.on_frame({"k": "begin", "step": 0})
    job._batch_start -= CALL_LIMIT + OVERRUN_TOLERANCE + 0.5  # the batch took longer than a call may
    job.on_frame({"k": "done", "results": [[0, OK], [1, OK], [2, OK]], "next": 3})
    assert job.failures[2]["status"] == "timeout"
    assert job.failures[3]["status"] == "skipped"  # the rest of the item is not tried again
    assert 0 not in job.failures and 1 not in job.failures


def test_frames_with_nothing_new_do_not_restart_the_clock() -> None:
    job = _job()
    job.on_frame({"k": "begin", "step": 0})
    job.on_frame({"k": "done", "results": [[0, OK], [1, OK]], "next": 2})
    job._batch_start -= CALL_LIMIT + OVERRUN_TOLERANCE + 0.5
    job.on_frame({"k": "done", "results": [[1, OK], ["2", OK], [99, OK], [2]], "next": 2})  # no new result
    job.on_frame({"k": "done", "results": [[2, OK]], "next": 3})
    assert job.failures[2]["status"] == "timeout"


@pytest.mark.parametrize("entry", [[2, "ok"], [True, OK], [2, OK, 3], {"2": OK}, [-1, OK], [5, OK]])
def test_malformed_entries_are_ignored(entry: Any) -> None:
    job = _job()
    job.on_frame({"k": "done", "results": [entry], "next": None})
    assert job.results == {}


def test_a_run_that_dies_between_frames_blames_the_step_it_was_running() -> None:
    job = _job()
    job.on_frame({"k": "begin", "step": 0})
    job.on_frame({"k": "done", "results": [[0, OK]], "next": 1})
    # steps 1 to 3 finished but were not sent yet; the child died in step 4
    job.on_exit(RunExit(code=-9, killed=False, progress=4))
    assert job.failures == {4: job.failures[4]} and job.failures[4]["status"] == "killed"
    assert job.next_run() is not None and job._planned == [0, 1, 2, 3]  # they run again


@pytest.mark.parametrize("progress", [None, -1, 0, 17])
def test_an_implausible_progress_claim_falls_back_to_the_announced_step(progress: int | None) -> None:
    job = _job()
    job.on_frame({"k": "begin", "step": 0})
    job.on_frame({"k": "done", "results": [[0, OK]], "next": 1})
    job.on_exit(RunExit(code=-9, killed=False, progress=progress))
    assert job.failures[1]["status"] == "killed"
    assert job.failures[2]["status"] == "skipped" and 4 not in job.failures


def test_the_kill_deadline_allows_for_the_longest_step_still_to_come() -> None:
    job = _job()
    job.on_frame({"k": "done", "results": [[0, OK], [1, OK]], "next": 2})  # a value step may still come
    assert job.deadline() >= time.monotonic() + VALUE_LIMIT
    job.on_frame({"k": "done", "results": [[2, OK], [3, OK]], "next": 4})
    now = time.monotonic()
    assert now + VALUE_LIMIT < job.deadline() <= now + VALUE_LIMIT + 1.5  # the last step's own limit


# -- the child's side --------------------------------------------------------------------------


def _frames(steps: list[dict[str, Any]], batch: float, namespace: dict[str, Any]) -> list[dict[str, Any]]:
    read_fd, write_fd = os.pipe()
    spaces = child.Namespaces.live(namespace)
    progress: list[int] = []
    try:
        child.run_steps(steps, list(range(len(steps))), spaces, child.FrameWriter(write_fd, "n"),
                        progress=progress.append, batch=batch)
        os.close(write_fd)
        data = b""
        while chunk := os.read(read_fd, 1 << 16):
            data += chunk
    finally:
        os.close(read_fd)
    assert progress == list(range(len(steps)))
    frames = []
    while data:
        (size,) = struct.unpack_from(">I", data)
        frames.append(json.loads(data[4:4 + size]))
        data = data[4 + size:]
    return frames


def _value(name: str) -> dict[str, Any]:
    return {"op": "value", "name": name, "limit": 5.0}


def test_quick_steps_share_one_frame() -> None:
    frames = _frames([_value("a"), _value("b"), _value("c")], 10.0, {"a": 1, "b": 2.5, "c": "x"})
    assert [f["k"] for f in frames] == ["begin", "done"]
    assert [index for index, _ in frames[1]["results"]] == [0, 1, 2]
    assert frames[1]["results"][1][1]["value"] == {"t": "float", "v": 2.5}


def test_without_batching_every_step_has_its_frame() -> None:
    frames = _frames([_value("a"), _value("b")], 0.0, {"a": 1, "b": 2})
    assert [(f["k"], f.get("next")) for f in frames] == [("begin", None), ("done", 1), ("done", None)]


def test_a_slow_step_is_the_last_of_its_frame() -> None:
    def slow() -> None:
        time.sleep(0.1)

    steps = [_value("a"), {"op": "call", "name": "slow", "harness": "call", "probe": {"kwargs": []},
                           "limit": 5.0}, _value("b")]
    frames = _frames(steps, 0.05, {"a": 1, "b": 2, "slow": slow})
    done = [f for f in frames if f["k"] == "done"]
    assert [[index for index, _ in f["results"]] for f in done] == [[0, 1], [2]]
    assert done[0]["next"] == 2


# -- what a child says about an exception ------------------------------------------------------


def _raise_in(source: str, filename: str) -> BaseException:
    import linecache

    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), namespace)
    try:
        namespace["f"]()
    except Exception as exc:
        return exc
    raise AssertionError("f() did not raise")


def test_an_exception_is_placed_at_the_students_innermost_line() -> None:
    from grader.harness.calls import describe_exception

    exc = _raise_in("import numpy as np\n\ndef f():\n    return np.linalg.inv(np.ones((2, 3)))\n", "<cell 4>")
    text = describe_exception(exc)
    assert text.startswith("LinAlgError: ")
    assert text.endswith("(cell 4, line 4: return np.linalg.inv(np.ones((2, 3))))")


def test_an_exception_in_a_module_names_the_file_not_its_folder() -> None:
    from grader.harness.calls import describe_exception

    exc = _raise_in("def g():\n    raise KeyError('w1')\n\ndef f():\n    g()\n", "/tmp/run-1/hw3.py")
    assert describe_exception(exc) == "KeyError: 'w1' (hw3.py, line 2: raise KeyError('w1'))"


def test_the_worker_preloads_what_templates_and_solutions_import() -> None:
    """Else every child imports it again (numpy.typing alone costs a child 1 ms)."""
    from grader.sandbox.worker import PRELOAD

    root = Path(__file__).parents[2]
    imported = set()
    for path in [*root.glob("student_template/*/*.py"), *root.glob("solutions/*.py")]:
        for line in path.read_text().splitlines():
            words = line.split()
            if len(words) > 1 and words[0] in ("import", "from"):
                imported.add(words[1])
    imported -= {"__future__", "torch"}  # torch is preloaded when a class needs it
    assert "numpy.typing" in imported
    assert imported <= {*PRELOAD, "collections.abc"}, imported - set(PRELOAD)


def test_a_notebooks_own_file_is_not_shipped_to_the_child(tmp_path: Path) -> None:
    import nbformat

    from grader.load import load
    from grader.plan import payload

    folder = tmp_path / "sub"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('ASSIGNMENT = "jhu-hw3"')])
    nbformat.write(notebook, folder / "hw3.ipynb")
    (folder / "data.csv").write_text("1,2\n")
    sub = load("s", folder, "sub")
    assert sub.error == "" and sub.is_notebook
    assert sorted(payload(sub, [], SharedSteps.of([]), [])["files"]) == ["data.csv"]
