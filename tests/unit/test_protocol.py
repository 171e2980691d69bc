"""The child's result frames and the parent's reading of them, without a sandbox.

The child batches results into few frames; the parent still times every frame itself, and
nothing a frame says decides which step is blamed when a run dies.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from grader.execute import SubmissionJob
from grader.harness import child
from grader.limits import BATCH_SECONDS, OVERRUN_TOLERANCE, STARTUP_GRACE, VALUE_SECONDS
from grader.load import Submission
from grader.protocol import FrameReader, FrameTooLarge, StepStatus, encode_frame
from grader.sandbox.pool import RunExit
from grader.steps import SharedSteps, Step

CALL_LIMIT = 3.0
KILLED = RunExit(code=-9, killed=False)


def _job() -> SubmissionJob:
    """A job of one load step (0), then item q/f: its lookup (1) and two calls (2, 3); then item q/v (4)."""
    sub = Submission(student="s", source="s.py", files={"s.py": b"x = 1\n"}, entry="s.py")
    load = [Step({"op": "cell", "source": "x = 1\n", "filename": "s.py"}, 10.0, cell=1, label="s.py")]
    items = [Step({"op": "value", "name": "f"}, VALUE_SECONDS, item="q/f"),
             Step({"op": "call", "name": "f"}, CALL_LIMIT, item="q/f", probe=0),
             Step({"op": "call", "name": "f"}, CALL_LIMIT, item="q/f", probe=1),
             Step({"op": "value", "name": "v"}, VALUE_SECONDS, item="q/v")]
    job = SubmissionJob(sub, load, SharedSteps.of(items), timeout=60.0, limits={})
    _start(job)
    return job


def _start(job: SubmissionJob) -> dict[str, Any]:
    request = job.next_run()
    assert request is not None
    job.on_begin(time.monotonic())
    job.on_frame({"k": "ready"}, time.monotonic())
    return request.payload


OK = {"status": "ok", "value": {"t": "float", "v": 1.0}}


def _done(job: SubmissionJob, *indices: Any, late: float = 0.0, entries: list[Any] | None = None) -> None:
    job.on_frame({"k": "done", "results": entries or [[i, OK] for i in indices]}, job._run.last + late)


def test_a_batch_of_results_is_kept_in_full() -> None:
    job = _job()
    _done(job, 0, 1, 2, 3, 4)
    job.on_frame({"k": "end"}, time.monotonic())
    job.on_exit(RunExit(code=0, killed=False))
    assert sorted(job.results) == [0, 1, 2, 3, 4] and job.failures == {}
    assert job.next_run() is None


def test_a_late_batch_is_not_believed_and_runs_again_step_by_step() -> None:
    """A frame later than its last step allows may hide its slow step anywhere: none of it counts."""
    job = _job()
    _done(job, 0, 1, 2, late=CALL_LIMIT + OVERRUN_TOLERANCE + BATCH_SECONDS + 0.5)
    assert job.results == {}
    job.on_exit(RunExit(code=0, killed=False))
    assert _start(job)["batch"] == 0.0  # careful: one frame per step


def test_a_late_frame_in_a_careful_run_is_its_steps_timeout() -> None:
    job = _job()
    job._careful = True
    _start(job)
    _done(job, 0)
    _done(job, 1)
    _done(job, 2, late=CALL_LIMIT + OVERRUN_TOLERANCE + 0.5)
    assert job.failures[2].status is StepStatus.TIMEOUT
    assert job.failures[3].status is StepStatus.TIMEOUT  # the rest of the item is not tried again
    assert 1 in job.results and 4 not in job.failures


def test_a_careful_run_believes_one_result_per_frame() -> None:
    job = _job()
    job._careful = True
    _start(job)
    _done(job, 0, 1, 2, 3, 4)  # only the harness's one result per frame counts
    assert sorted(job.results) == [0]


@pytest.mark.parametrize("entry", [[True, OK], [2, OK, 3], {"2": OK}, [-1, OK], [5, OK], ["2", OK]])
def test_malformed_entries_are_ignored(entry: Any) -> None:
    job = _job()
    _done(job, entries=[entry])
    assert job.results == {}


def test_a_malformed_result_costs_its_own_step() -> None:
    job = _job()
    _done(job, entries=[[0, OK], [1, {"status": "graded", "points": 27}]])
    assert job.results[1].status is StepStatus.RAISED and job.results[0].status is StepStatus.OK


def test_a_batched_run_that_dies_blames_nobody_and_the_next_run_is_careful() -> None:
    job = _job()
    _done(job, 0)
    job.on_exit(KILLED)
    assert job.failures == {}
    payload = _start(job)
    assert payload["batch"] == 0.0 and payload["run"] == [0, 1, 2, 3, 4]


def test_a_careful_run_that_dies_blames_its_first_step_without_a_result() -> None:
    job = _job()
    job._careful = True
    _start(job)
    _done(job, 0)
    _done(job, 1)
    job.on_exit(KILLED)
    assert job.failures[2].status is StepStatus.KILLED
    assert "killed by SIGKILL" in job.failures[2].message
    assert job.failures[3].status is StepStatus.KILLED and 4 not in job.failures
    assert _start(job)["run"] == [0, 4]  # the next run is batched again


def test_a_run_that_dies_before_student_code_starts_blames_no_step() -> None:
    job = _job()
    job._run.ready = False
    job.on_exit(KILLED)
    assert job.failures == {} and not job.harness_error
    job.next_run()
    job.on_exit(KILLED)  # twice: the grader's own failure, never the student's
    assert job.harness_error and all(f.status is StepStatus.KILLED for f in job.failures.values())


def test_the_kill_deadline_allows_for_the_longest_step_still_to_come() -> None:
    job = _job()
    _done(job, 0, 1)  # a value step may still come
    assert job.deadline() >= job._run.last + VALUE_SECONDS
    _done(job, 2, 3)
    assert job._run.last + VALUE_SECONDS < job.deadline() <= job._run.last + VALUE_SECONDS + 1.5


def test_before_the_harness_is_ready_the_deadline_allows_its_start_up() -> None:
    job = _job()
    job._run.ready = False
    assert job.deadline() >= job._run.last + STARTUP_GRACE + 10.0  # the load step's own limit


# -- reading frames ------------------------------------------------------------------------------


def test_frames_are_bounded_before_they_are_parsed() -> None:
    reader = FrameReader("n")
    with pytest.raises(FrameTooLarge):
        reader.feed(encode_frame("n", "done", results=[[] for _ in range(30_000)]))


def test_frames_of_another_run_or_not_json_are_dropped() -> None:
    reader = FrameReader("n")
    frames = reader.feed(encode_frame("other", "end") + b"\x00\x00\x00\x03abc" + encode_frame("n", "end"))
    assert frames == [{"n": "n", "k": "end"}]


def test_a_number_that_does_not_fit_a_float_decodes_as_infinite() -> None:
    from grader import values

    assert values.decode({"t": "int", "v": 10**400}).v == float("inf")
    assert values.decode({"t": "float", "v": -(10**400)}).v == float("-inf")


# -- the child's side --------------------------------------------------------------------------


def _frames(steps: list[dict[str, Any]], batch: float, namespace: dict[str, Any]) -> list[dict[str, Any]]:
    read_fd, write_fd = os.pipe()
    spaces = child.Namespaces.live(namespace)
    try:
        child.run_steps(steps, list(range(len(steps))), spaces, child.FrameWriter(write_fd, "n"), batch=batch)
        os.close(write_fd)
        data = b""
        while chunk := os.read(read_fd, 1 << 16):
            data += chunk
    finally:
        os.close(read_fd)
    return FrameReader("n").feed(data)


def _value(name: str) -> dict[str, Any]:
    return {"op": "value", "name": name, "limit": 5.0}


def test_quick_steps_share_one_frame() -> None:
    frames = _frames([_value("a"), _value("b"), _value("c")], 10.0, {"a": 1, "b": 2.5, "c": "x"})
    assert [f["k"] for f in frames] == ["done"]
    assert [index for index, _ in frames[0]["results"]] == [0, 1, 2]
    assert frames[0]["results"][1][1]["value"] == {"t": "float", "v": 2.5}


def test_without_batching_every_step_has_its_frame() -> None:
    frames = _frames([_value("a"), _value("b")], 0.0, {"a": 1, "b": 2})
    assert [[index for index, _ in f["results"]] for f in frames] == [[0], [1]]


def test_a_slow_step_is_the_last_of_its_frame() -> None:
    def slow() -> None:
        time.sleep(0.1)

    steps = [_value("a"), {"op": "call", "name": "slow", "harness": "call", "probe": {"kwargs": []},
                           "limit": 5.0}, _value("b")]
    frames = _frames(steps, 0.05, {"a": 1, "b": 2, "slow": slow})
    assert [[index for index, _ in f["results"]] for f in frames] == [[0, 1], [2]]


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
    assert sorted(payload(sub, [], SharedSteps.of([]), [], 0.0)["files"]) == ["data.csv"]
