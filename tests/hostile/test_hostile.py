"""The hostile corpus, graded as one class: every attack costs its author, never the grader.

``grader check`` runs once per sandbox mode on the whole corpus (tests/hostile/corpus), plus
submissions this module makes at run time (the two honest students, a zip with escaping
entries, symbolic links, an oversized file). Every test then reads that one run.

The modes are the default sandbox (bubblewrap where it works) and ``--sandbox none``. Without
bubblewrap there are no namespaces, so these checks are skipped there, and only there:
network access (no network namespace), reading files outside the submission (no mount
namespace: search_solutions, read_other_students) and, for the same reason, the attempt of
fake_report_files to write into the real output folder (it is given a decoy folder instead;
test_none_mode_output_folder_tamper shows what the real one does).

A grader bug found by the corpus becomes a strict xfail naming the bug until it is fixed.
"""

from __future__ import annotations

import json
import socket
import stat
import threading
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import _support as hs
from tests.hostile.cases import CASES, HONEST, ORPHAN_CASES, Expect, check_case

pytestmark = pytest.mark.slow

CORPUS_FILES = sorted(p.name for p in hs.CORPUS.iterdir() if p.is_file())
CORPUS_CASES = [name.split(".")[0] for name in CORPUS_FILES]
SECRET = "exploding"  # GRADER_HOSTILE_SECRET, in the grader's environment only

NEEDS_BWRAP = "needs the sandbox's namespaces, which --sandbox none does not have"


@dataclass
class Listener:
    """A loopback TCP server that answers the right Q2D_TREND to anyone who connects."""

    sock: socket.socket = field(default_factory=socket.socket)
    hits: list[Any] = field(default_factory=list)

    def start(self) -> int:
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        threading.Thread(target=self._serve, daemon=True).start()
        return int(self.sock.getsockname()[1])

    def _serve(self) -> None:
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            self.hits.append(peer)
            with conn:
                conn.sendall(SECRET.encode())

    def close(self) -> None:
        self.sock.close()


@dataclass
class CorpusRun:
    """One ``grader check`` of the whole hostile class, and what surrounded it."""

    requested: str  # "default" or "none"
    mode: str  # the sandbox the report says was used: "bwrap" or "none"
    run: hs.Run
    solo: hs.Run
    class_dir: Path
    out: Path
    tmpdir: Path
    marker: str
    listener_hits: list[Any]
    before: dict[str, str]
    after: dict[str, str]
    students: list[str]
    expected_students: set[str]

    @property
    def namespaces(self) -> bool:
        return self.mode == "bwrap"

    def sub(self, student: str) -> dict[str, Any]:
        subs = self.run.by_student
        assert student in subs, f"{student} has no report; stderr:\n{self.run.stderr[-3000:]}"
        return subs[student]


def _make_runtime_submissions(class_dir: Path, zip_path: Path, marker: str) -> set[str]:
    """The honest students, the zip, the oversized file and, where possible, symbolic links."""
    hs.honest_files(class_dir)
    reference = hs.reference_text()
    with zipfile.ZipFile(zip_path, "w") as bundle:
        bundle.writestr("zipped_correct.py", reference)
        for evil in ("../zip_evil.py", "sub/../../zip_evil_nested.py", f"/tmp/{marker}-zip_evil_abs.py",
                     "..\\zip_evil_backslash.py"):
            bundle.writestr(evil, reference)
        link = zipfile.ZipInfo("zip_link.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(link, str(hs.REFERENCE))
    (class_dir / "oversized.py").write_bytes(reference + b"\n#" + b"x" * (17 << 20) + b"\n")
    made = {"honest_correct", "honest_partial", "zipped_correct", "oversized"}
    try:
        (class_dir / "symlink_to_reference.py").symlink_to(hs.REFERENCE)
        folder = class_dir / "symlink_in_folder"
        folder.mkdir()
        (folder / "jhu_hw3.py").write_bytes(hs.TEMPLATE.read_bytes() + b"\nfrom answers import *\n")
        (folder / "answers.py").symlink_to(hs.REFERENCE)
        folder = class_dir / "symlink_dir_in_folder"
        folder.mkdir()
        (folder / "jhu_hw3.py").write_bytes(hs.TEMPLATE.read_bytes() + b"\nfrom key.jhu_hw3 import *\n")
        (folder / "key").symlink_to(hs.REFERENCE.parent, target_is_directory=True)
    except (OSError, NotImplementedError):
        return made
    return made | {"symlink_to_reference", "symlink_in_folder", "symlink_dir_in_folder"}


@pytest.fixture(scope="module", params=["default", "none"])
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusRun]:
    requested = request.param
    base = tmp_path_factory.mktemp(f"hostile-{requested}")
    class_dir, out, tmpdir = base / "class", base / "out", base / "tmp"
    zip_path = base / "zipped_class.zip"
    tmpdir.mkdir()
    marker = f"hostile-{uuid.uuid4().hex[:12]}"
    listener = Listener()
    port = listener.start()
    # Without a mount namespace the child could really write there: give it a decoy instead.
    out_for_students = out if requested != "none" else base / "decoy-out"
    placeholders = {"@@PORT@@": str(port), "@@CLASS_DIR@@": str(class_dir),
                    "@@OUT_DIR@@": str(out_for_students)}
    hs.build_class(class_dir, CORPUS_FILES, placeholders, marker)
    made = _make_runtime_submissions(class_dir, zip_path, marker)
    before = hs.tree_digest(class_dir, zip_path)
    mode_args = ("--sandbox", "none") if requested == "none" else ()
    common = ("--seed", str(hs.SEED), "--timeout", hs.TIMEOUT, "--jobs", "2", *mode_args)
    env = hs.grader_env(GRADER_HOSTILE_SECRET=SECRET, TMPDIR=str(tmpdir))
    try:
        run = hs.run_check([class_dir, zip_path], out, *common, env=env)
        after = hs.tree_digest(class_dir, zip_path)
        solo_dir = base / "honest-only"
        hs.honest_files(solo_dir)
        solo = hs.run_check([solo_dir], base / "honest-only-out", *common, env=env)
        yield CorpusRun(requested, run.report.get("sandbox", "?"), run, solo, class_dir, out, tmpdir, marker,
                        list(listener.hits), before, after, sorted(run.by_student),
                        set(CORPUS_CASES) | made)
    finally:
        listener.close()
        hs.kill_leftovers(marker)


# -- the run as a whole ------------------------------------------------------------------------


def test_run_completes_with_a_report_for_everyone(corpus: CorpusRun) -> None:
    run = corpus.run
    assert run.returncode == 0, run.stderr[-3000:]
    assert corpus.solo.returncode == 0, corpus.solo.stderr[-3000:]
    assert set(corpus.students) == corpus.expected_students
    assert run.summary()[0] == len(corpus.expected_students)
    assert run.report["seed"] == hs.SEED
    assert run.seconds < 150, "the hostile class took far longer than its time limits allow"


def test_sandbox_mode_is_as_requested(corpus: CorpusRun) -> None:
    if corpus.requested == "none":
        assert corpus.mode == "none"
    else:
        assert corpus.mode == ("bwrap" if hs.bwrap_available() else "none")


@pytest.mark.parametrize("case", sorted(CASES))
def test_case(corpus: CorpusRun, case: str) -> None:
    """Each case's status, each item's outcome, and its points (bug items aside)."""
    expect: Expect = CASES[case]
    if expect.namespaces and not corpus.namespaces:
        pytest.skip(NEEDS_BWRAP)
    if case not in corpus.expected_students:
        pytest.skip("symbolic links are not available here")
    check_case(case, corpus.sub(case), namespaces=corpus.namespaces)


# -- points: honest students unaffected, hostile ones never ahead ----------------------------------


def test_honest_submissions_score_as_when_graded_alone(corpus: CorpusRun) -> None:
    alone = corpus.solo.by_student
    for student in HONEST:
        ours, theirs = corpus.sub(student), alone[student]
        for key in ("status", "points", "max_points", "pending_manual_points", "questions"):
            assert hs.strip_volatile(ours[key]) == hs.strip_volatile(theirs[key]), (student, key)
    assert corpus.sub("honest_correct")["points"] == hs.FULL_MARKS
    assert corpus.sub("honest_partial")["points"] == hs.FULL_MARKS - hs.POINTS["q2b/Q2B_GRADS"]


def test_no_hostile_submission_beats_its_honest_content(corpus: CorpusRun) -> None:
    """Points are at most what the honestly answered items are worth (known bugs aside)."""
    ahead = {}
    for case, expect in CASES.items():
        if case not in corpus.students or (expect.namespaces and not corpus.namespaces):
            continue
        expect = expect.in_mode(corpus.namespaces)
        sub = corpus.sub(case)
        bug_points = sum(hs.item_points(sub).get(k, 0.0) for k in expect.bugs)
        if sub["points"] - bug_points > expect.points() + 1e-9:
            ahead[case] = (sub["points"], expect.points())
        if expect.base == "template":
            assert sub["pending_manual_points"] == 0, case
    assert not ahead, f"more points than deserved (got, deserved): {ahead}"


# -- nothing outside the submissions changed ---------------------------------------------------------


def test_class_folder_is_unchanged(corpus: CorpusRun) -> None:
    assert corpus.after == corpus.before


def test_output_folder_holds_only_the_graders_files(corpus: CorpusRun) -> None:
    from grader.store import LOCK

    files = {s: corpus.sub(s)["feedback_file"] for s in corpus.students}
    assert len(set(files.values())) == len(files)  # one file each
    expected = {"report.json", "report.html", "junit.xml", "grades.csv", "results.jsonl", "run.json", "feedback", LOCK, *files.values()}
    found = {p.relative_to(corpus.out).as_posix() for p in corpus.out.rglob("*")}
    assert found == expected
    for student, name in files.items():
        text = (corpus.out / name).read_text()
        assert text.startswith(f"# Feedback for `{student}`\n")
    state = json.loads((corpus.out / "run.json").read_text())
    assert state["state"] == "complete" and state["seed"] == hs.SEED
    lines = (corpus.out / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["report"]["student"] for line in lines] == corpus.students
    assert "forged" not in (corpus.out / "grades.csv").read_text()


def test_no_files_left_behind(corpus: CorpusRun) -> None:
    """The grader's scratch folder is gone and no 2 GB file (or part of one) is left anywhere."""
    assert list(corpus.tmpdir.iterdir()) == []
    assert not list(Path("/tmp").glob(f"*{corpus.marker}*"))
    assert not list(corpus.class_dir.parent.rglob(f"huge-{corpus.marker}*"))


@pytest.mark.parametrize("case", ORPHAN_CASES)
def test_no_process_outlives_the_run(request: pytest.FixtureRequest, corpus: CorpusRun, case: str) -> None:
    alive = hs.wait_for_no_processes(hs.marker_for(corpus.marker, case))
    assert not alive, f"{case} left processes behind: {alive}"


def test_no_process_of_any_case_outlives_the_run(corpus: CorpusRun) -> None:
    alive = hs.wait_for_no_processes(corpus.marker)
    assert not alive


# -- the sandbox's namespaces ---------------------------------------------------------------------


def test_network_is_unreachable(corpus: CorpusRun) -> None:
    if not corpus.namespaces:
        pytest.skip(NEEDS_BWRAP)
    assert corpus.listener_hits == []
    assert hs.outcomes(corpus.sub("network"))["q2d/Q2D_TREND"] == "missing"


def test_secret_environment_and_answer_key_are_invisible(corpus: CorpusRun) -> None:
    if not corpus.namespaces:
        pytest.skip(NEEDS_BWRAP)
    for case in ("search_solutions", "read_other_students"):
        sub = corpus.sub(case)
        assert sub["points"] == 0 and sub["pending_manual_points"] == 0, case
    assert hs.outcomes(corpus.sub("search_solutions"))["q1b/Q1B_W_NEW"] == "missing"
    assert hs.outcomes(corpus.sub("search_solutions"))["q2d/Q2D_TREND"] == "missing"
    assert hs.outcomes(corpus.sub("read_other_students"))["q2a/Q2A_INF_ATTAINED"] == "missing"


def test_kill_all_stays_inside_the_run(corpus: CorpusRun) -> None:
    """kill(-1) really ran in the run's own pid namespace, reached nothing, and cost only its item."""
    sub = corpus.sub("kill_all_in_function")
    text = hs.feedback(sub, "q2b/classification_grads")
    if not corpus.namespaces:
        assert "refusing kill(-1)" in text  # the corpus file's own safety guard
        pytest.skip("kill(-1) is only tried inside a pid namespace")
    assert "No such process" in text  # kill(-1) found nothing it could signal
    assert "worker died" not in json.dumps(corpus.run.report)  # no worker of the run died
    assert corpus.run.returncode == 0


def test_oversized_results_hit_the_cap_not_a_crash(corpus: CorpusRun) -> None:
    for key in ("q1a/grad_W", "q1b/l2_step"):
        assert "harness crashed" not in hs.feedback(corpus.sub("huge_return"), key)


# -- discovery: zip entries and links -----------------------------------------------------------


def test_zip_entries_that_escape_are_skipped(corpus: CorpusRun) -> None:
    stderr = corpus.run.stderr
    for entry in ("../zip_evil.py", "sub/../../zip_evil_nested.py", "zip_evil_abs.py", "zip_evil_backslash.py",
                  "zip_link.py"):
        assert entry in stderr, f"no note about the zip entry {entry}"
    assert not [s for s in corpus.students if s.startswith("zip_evil") or s == "zip_link"]
    assert corpus.sub("zipped_correct")["points"] == hs.FULL_MARKS
    base = corpus.class_dir.parent
    assert not list(base.rglob("zip_evil*")) and not list(Path("/tmp").glob(f"{corpus.marker}-zip_evil*"))


def test_links_are_never_followed(corpus: CorpusRun) -> None:
    if "symlink_to_reference" not in corpus.expected_students:
        pytest.skip("symbolic links are not available here")
    for case in ("symlink_to_reference", "symlink_in_folder", "symlink_dir_in_folder"):
        assert corpus.sub(case)["points"] == 0, case
    warnings = " ".join(corpus.sub("symlink_in_folder")["warnings"])
    assert "answers.py" in warnings and "symbolic link" in warnings


# -- known bugs of single cases, checked on the same run -------------------------------------------


def test_undecodable_file_is_reported_against_its_assignment(corpus: CorpusRun) -> None:
    sub = corpus.sub("bad_encoding")
    assert (sub["assignment"], sub["max_points"], sub["manual_max_points"]) == ("jhu-hw3", hs.FULL_MARKS,
                                                                               hs.MAX_POINTS - hs.FULL_MARKS)


def test_invalid_notebook_is_reported_as_invalid(corpus: CorpusRun) -> None:
    assert "notebook" in (corpus.sub("not_nbformat")["error"] or "")


def test_undecodable_notebook_code_never_runs(corpus: CorpusRun) -> None:
    """not_nbformat's only cell would os._exit(0): it must not have run (and it did not)."""
    sub = corpus.sub("not_nbformat")
    assert "exited with code" not in (sub["error"] or "")


# -- attacks that need a class of their own -------------------------------------------------------


def _small_class(tmp_path: Path, files: dict[str, str | bytes], *extra: str,
                 env: dict[str, str] | None = None) -> hs.Run:
    """Grade ``files`` (name -> corpus path, or raw bytes) with one worker, in order."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name, source in files.items():
        data = source if isinstance(source, bytes) else hs.compose((hs.CORPUS / source).read_bytes())
        (folder / name).write_bytes(data)
    return hs.run_check([folder], tmp_path / "out", "--seed", str(hs.SEED), "--timeout", hs.TIMEOUT,
                        "--jobs", "1", *extra, env=env)


_KILL_WORKER = b"""

import os as _os
import signal as _signal
import time as _time


def regression_grads(w1, w2, w3, x, y):
    _os.kill(_os.getppid(), _signal.SIGKILL)  # the warm worker, with the next run queued on it
    _time.sleep(30)  # the worker's death ends this step
"""


@pytest.mark.parametrize("mode", ["default", "none"])
def test_a_run_queued_behind_an_attack_on_its_worker_is_unharmed(tmp_path: Path, mode: str) -> None:
    """One worker: each honest submission waits, queued, behind one that kills or stops the
    worker. Without namespaces the worker really dies or stops, and the queued run moves to a
    fresh one; in the sandbox the worker is out of reach and the attack lands on its author."""
    extra = ("--sandbox", "none") if mode == "none" else ()
    reference = hs.reference_text()
    run = _small_class(tmp_path, {"a_kill_worker.py": reference + _KILL_WORKER, "b_honest.py": reference,
                                  "c_stop_worker.py": "stop_worker.py", "d_honest.py": reference}, *extra)
    assert run.returncode == 0, run.stderr[-3000:]
    for student in ("b_honest", "d_honest"):
        sub = run.by_student[student]
        assert sub["points"] == hs.FULL_MARKS and not sub["error"], sub
    killer = hs.feedback(run.by_student["a_kill_worker"], "q2c/regression_grads")
    stopper = run.by_student["c_stop_worker"]
    if run.report["sandbox"] == "none":
        assert "worker died" in killer
        assert stopper["points"] == hs.FULL_MARKS
    else:  # getppid() is 0: kill(0) reaches the run's own process group, whose leader, pid 1 of
        # its namespace, ignores both: the kill call waits out its limit, the stopped one goes on
        assert "worker died" not in killer
        assert hs.outcomes(run.by_student["a_kill_worker"])["q2c/regression_grads"] == "timeout"
        assert stopper["points"] == hs.FULL_MARKS


@pytest.mark.parametrize("mode", ["default", "none"])
def test_collusion_through_the_workers_scratch_folder(tmp_path: Path, mode: str) -> None:
    extra = ("--sandbox", "none") if mode == "none" else ()
    run = _small_class(tmp_path, {"a_plant.py": "collusion_trap/plant.py",
                                  "b_victim.py": hs.reference_text(),
                                  "c_harvest.py": "collusion_trap/harvest.py"}, *extra)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.by_student["b_victim"]["points"] == hs.FULL_MARKS
    assert run.by_student["c_harvest"]["points"] == 0


@pytest.mark.parametrize("case", [
    "forged_frames/mutated_not_a_list.py",
    "forged_frames/status_not_a_string.py",
])
def test_malformed_result_frames_cost_only_their_author(tmp_path: Path, case: str) -> None:
    run = _small_class(tmp_path, {"forger.py": case, "honest_correct.py": hs.reference_text()})
    assert run.returncode == 0, run.stderr[-2000:]
    forger = run.by_student["forger"]
    assert forger["points"] == 0 and "internal grader error" not in (forger["error"] or "")
    if "mutated" in case:  # the forged claim was read (the blank template would be "missing")
        assert hs.outcomes(forger)["q2b/Q2B_TREND"] == "wrong"
    assert run.by_student["honest_correct"]["points"] == hs.FULL_MARKS


def _names_class(tmp_path: Path) -> hs.Run:
    template = hs.TEMPLATE.read_bytes()
    return _small_class(tmp_path, {"honest_correct.py": hs.reference_text(), "honest~correct.py": template,
                                   "=1+2.py": template})


def test_every_student_gets_their_own_feedback_file(tmp_path: Path) -> None:
    run = _names_class(tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    files = sorted((run.out / "feedback").iterdir())
    assert len(files) == len(run.by_student)
    honest = (run.out / "feedback" / "honest_correct.md").read_text()
    assert honest.startswith("# Feedback for `honest_correct`\n")


def test_student_ids_cannot_inject_spreadsheet_formulas(tmp_path: Path) -> None:
    run = _names_class(tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    cells = [row.split(",")[0] for row in (run.out / "grades.csv").read_text().splitlines()[2:]]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_none_mode_output_folder_tamper(tmp_path: Path) -> None:
    """Without namespaces a submission can write to the output folder: the grader notices, says so,
    and publishes no report rather than a forged or incomplete one."""
    out = tmp_path / "out"
    snippet = (hs.CORPUS / "fake_report_files.py").read_bytes().replace(b"@@OUT_DIR@@", str(out).encode())
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "honest_correct.py").write_bytes(hs.reference_text())
    (folder / "zz_forger.py").write_bytes(hs.compose(snippet))
    run = hs.run_check([folder], out, "--seed", str(hs.SEED), "--timeout", hs.TIMEOUT, "--jobs", "1",
                       "--sandbox", "none")
    assert run.returncode == 3, run.stderr[-2000:]
    assert "was modified by something other than the grader" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (out / "report.json").exists() and not list(out.glob("grades*.csv"))
