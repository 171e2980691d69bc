"""``grader check``: the grading pipeline, step by step.

    discover -> load -> execute (isolated) -> grade -> report

Each step lives in its own module; this one only wires them together. The workers start
right after discovery and boot (numpy, maybe torch) while this process imports the rubric
models and computes the reference answers: the modules that need pydantic or numpy are
imported inside the functions below, not up here.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from grader import writers
from grader._version import __version__
from grader.assignments import (
    available,
    default_solutions,
    grades_implementation,
    instructor_paths,
    torch_available,
)
from grader.discover import Found, discover, discover_one
from grader.errors import SolutionsError
from grader.exitcodes import ExitCode
from grader.limits import RunLimits
from grader.load import Submission, load, sniff_assignment
from grader.sandbox.bwrap import SandboxMode, detect_mode
from grader.sandbox.pool import Pool
from grader.store import Store, StoreCorrupted, output_lock, result_key

if TYPE_CHECKING:
    from grader import grade
    from grader.execute import SubmissionJob
    from grader.plan import SharedSteps
    from grader.report import SubmissionReport
    from grader.rubric import Rubric


@dataclass
class CheckOptions:
    """Everything ``grader check`` was asked to do."""

    paths: list[Path]
    out: Path = Path("grader-results")
    assignment: str | None = None
    jobs: int = 2
    timeout: float = 60.0
    fmt: str = "table"
    seed: int | None = None
    solutions: Path | None = None
    rubric: Path | None = None
    sandbox: str = "auto"
    memory_mb: int = 1024
    progress: bool = True


@dataclass
class Assignment:
    """One assignment's rubric, reference answers and shared item steps for this run."""

    context: grade.Context
    shared: SharedSteps


@dataclass
class Run:
    """State shared by the steps of one run."""

    opts: CheckOptions
    store: Store
    seed: int
    torch: bool
    mode: SandboxMode
    assignments: dict[str, Assignment] = field(default_factory=dict)
    internal_errors: list[str] = field(default_factory=list)
    fresh: int = 0
    reused: int = 0


def check(opts: CheckOptions, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> ExitCode:
    """Grade every submission under ``opts.paths`` and write the reports."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grader-") as scratch:
        notes: list[str] = []
        if opts.fmt == "gradescope":
            found = discover_one(opts.paths[0])  # Gradescope's upload folder is one student's
        else:
            found = discover(opts.paths, Path(scratch), notes)
        with output_lock(opts.out, "check"):
            run = _run(opts, found, notes, Path(scratch), stdout, stderr)
    if run is None:
        return ExitCode.INTERRUPTED
    print(f"graded {len(found)} submissions ({run.fresh} run, {run.reused} reused) in "
          f"{time.monotonic() - started:.1f} s; seed {run.seed}; reports in {opts.out}/", file=stderr)
    for problem in run.internal_errors:
        print(f"internal error: {problem}", file=stderr)
    return ExitCode.INTERNAL_ERROR if run.internal_errors else ExitCode.OK


def _run(opts: CheckOptions, found: list[Found], notes: list[str], scratch: Path, stdout: TextIO,
         stderr: TextIO) -> Run | None:
    """Grade and report while this process holds the output folder; None when interrupted."""
    mode = detect_mode(opts.sandbox)
    named = _survey(found, opts.assignment)
    # Started before anything heavy is imported: the workers boot on the other core.
    hidden = (*instructor_paths(opts.solutions), opts.out, *opts.paths)
    pool = Pool(opts.jobs, mode, scratch, torch=_guess_torch(opts, named), hidden=hidden) if named else None
    try:
        run = _start(opts, named, mode)
        _show_notes(run, notes, stderr)
        if pool and pool.torch != _needs_torch(run):  # the guess was wrong: start the right workers
            pool.close()
            pool = Pool(opts.jobs, mode, scratch, torch=_needs_torch(run), hidden=hidden)
        try:
            _grade_all(run, found, pool, stderr)
        except KeyboardInterrupt:
            run.store.close()
            print(f"interrupted: {run.fresh} results are saved in {opts.out}; run the same command to "
                  "resume", file=stderr)
            return None
    finally:
        if pool:
            pool.close()
    try:
        _finish(run, found, stdout)
    except StoreCorrupted:
        for stale in [opts.out / "report.json", *opts.out.glob("grades*.csv")]:
            stale.unlink(missing_ok=True)  # whatever is there was not written by this run
        raise
    return run


def _show_notes(run: Run, notes: list[str], stderr: TextIO) -> None:
    if run.mode is SandboxMode.NONE and run.opts.sandbox == "auto":
        notes.append("bubblewrap does not work here: submissions run WITHOUT namespaces "
                     "(see README, 'The isolation model'); install bubblewrap for full isolation")
    for note in notes:
        print(f"note: {note}", file=stderr)


def _guess_torch(opts: CheckOptions, named: set[str]) -> bool:
    """Whether the workers will need torch, from the rubric files alone (``_needs_torch`` decides)."""
    return torch_available() and any(grades_implementation(name, opts.rubric) for name in named)


def _needs_torch(run: Run) -> bool:
    return run.torch and any(a.context.rubric.solutions.implementation for a in run.assignments.values())


def _start(opts: CheckOptions, named: set[str], mode: SandboxMode) -> Run:
    store = Store(opts.out)
    seed, resumed = store.seed(opts.seed)
    run = Run(opts, store, seed, torch_available(), mode)
    solutions = opts.solutions or default_solutions()
    for assignment in sorted(named):
        run.assignments[assignment] = _prepare(assignment, opts, seed, run.torch, solutions)
    store.mark(state="running", seed=seed, resumed=resumed, grader_version=__version__)
    gc.freeze()  # rubrics and reference answers live to the end: the collector need not scan them
    return run


def _survey(found: list[Found], forced: str | None) -> set[str]:
    """The assignments the class names, read cheaply from the ASSIGNMENT lines."""
    if forced:
        return {forced}
    named = set()
    for f in found:
        files = [f.path] if f.path.is_file() else [p for p in f.path.glob("*") if p.suffix in (".py", ".ipynb")]
        for path in files:
            try:
                name = sniff_assignment(path.read_bytes())
            except OSError:
                continue
            if name:
                named.add(name)
    return named & set(available())


def _prepare(assignment: str, opts: CheckOptions, seed: int, torch: bool, solutions: Path | None) -> Assignment:
    from grader import grade
    from grader.assignments import load_rubric
    from grader.plan import SharedSteps, item_steps
    from grader.reference import compute

    rubric = load_rubric(assignment, opts.rubric)
    if solutions is None:
        raise SolutionsError("no solutions folder: pass --solutions DIR (the reference solver)")
    expected = compute(rubric, solutions, seed, torch=torch)
    probes = {key: e.probes for key, e in expected.items()}
    return Assignment(grade.Context(rubric, expected, torch), SharedSteps.of(item_steps(rubric, probes, set(expected))))


def _grade_all(run: Run, found: list[Found], pool: Pool | None, stderr: TextIO) -> None:
    from tqdm import tqdm

    from grader.execute import SubmissionJob

    bar = tqdm(total=len(found), unit="sub", file=stderr, disable=not (run.opts.progress and stderr.isatty()))
    try:
        jobs = _jobs(run, found, bar)
        for job in pool.process(jobs) if pool else jobs:
            assert isinstance(job, SubmissionJob)
            _record(run, job)
            bar.update()
    finally:
        bar.close()


def _jobs(run: Run, found: list[Found], bar: Any) -> Iterator[SubmissionJob]:
    """Load each submission; reuse its stored result or yield a job that runs it."""
    from grader import grade
    from grader.execute import SubmissionJob
    from grader.plan import load_steps

    for f in found:
        sub = load(f.student, f.path, f.display)
        name = _resolve(sub, run.opts.assignment, run.assignments)
        assignment = run.assignments.get(name or "")
        key = _key(run, sub, name, assignment.context.rubric if assignment else None)
        if run.store.cached(key):
            run.store.use(sub.student, key)
            run.reused += 1
            bar.update()
        elif sub.error or assignment is None:
            _save(run, key, grade.unusable(assignment.context if assignment else None, sub, name))
            bar.update()
        else:
            yield SubmissionJob(sub, load_steps(sub, assignment.context.rubric), assignment.shared,
                                run.opts.timeout, _limits(run.opts), key=key, context=assignment.context)


def _resolve(sub: Submission, forced: str | None, known: dict[str, Assignment]) -> str | None:
    """The assignment a submission is graded as; a problem becomes its error."""
    if forced and sub.assignment and sub.assignment != forced:
        sub.error = sub.error or f'the submission says ASSIGNMENT = "{sub.assignment}" but --assignment {forced} was given'
    name = forced or sub.assignment
    if not name and not sub.error:
        sub.error = 'no assignment: add the line ASSIGNMENT = "<id>" (see `grader list`) or pass --assignment'
    elif name and name not in known and not sub.error:
        sub.error = f"unknown assignment {name!r} (see `grader list`)"
    return name


def _key(run: Run, sub: Submission, assignment: str | None, rubric: Rubric | None) -> str:
    return result_key(hash=sub.content_hash, source=sub.source, assignment=assignment,
                      rubric=rubric.digest if rubric else "", seed=run.seed, version=__version__,
                      torch=run.torch, forced=run.opts.assignment or "", timeout=run.opts.timeout)


def _limits(opts: CheckOptions) -> dict[str, int]:
    return RunLimits.of(opts.memory_mb, opts.timeout).wire()


def _record(run: Run, job: SubmissionJob) -> None:
    from grader import grade

    try:
        report = grade.grade(job.context, job.sub, job)
    except Exception as exc:  # a grader bug: reported loudly, never scored as zero silently
        problem = f"{job.sub.student}: {type(exc).__name__}: {exc}"
        run.internal_errors.append(problem)
        job.sub.error = f"internal grader error, not the student's fault ({problem}); please report it"
        report = grade.unusable(None, job.sub, job.context.rubric.assignment)
        _save(run, f"uncacheable-{job.key}", report)
        return
    _save(run, job.key, report)


def _save(run: Run, key: str, report: SubmissionReport) -> None:
    data = report.model_dump(mode="json")
    # Feedback first: a run killed in between has no stored result, so resuming grades the
    # submission again and rewrites its feedback; the other way round it would keep a stale one.
    writers.write_feedback(run.opts.out, data)
    run.store.add(report.student, key, data)
    run.fresh += 1


def _finish(run: Run, found: list[Found], stdout: TextIO) -> None:
    """Write report.json and the grade sheets from the stored results, then show the tables."""
    students = [f.student for f in found]
    run.store.compact(students)
    header = _header(run)
    out = run.opts.out
    sheets = _sheets(run)
    writers.write_results(out / "report.json", header, _reports(run, students), sheets,
                          writers.read_manual(out))
    run.store.mark(state="complete", seed=run.seed, grader_version=__version__)
    try:
        if run.opts.fmt == "json":
            writers.print_report(stdout, header, _reports(run, students))
        elif run.opts.fmt == "gradescope":
            from grader import gradescope

            for report in _reports(run, students):  # one: ``discover_one`` found it
                gradescope.write(stdout, report, _by_hand(run, report["assignment"]))
        else:
            _show_sheets(run, sheets, students, stdout)
    finally:
        run.store.close()


def _by_hand(run: Run, assignment: str | None) -> set[str]:
    """The assignment's text items, as ``question/name``."""
    if assignment not in run.assignments:
        return set()
    rubric = run.assignments[assignment].context.rubric
    return {f"{question.id}/{item.name}" for question, item, _ in rubric.items() if item.is_manual}


def _show_sheets(run: Run, sheets: dict[str, writers.Sheet], students: list[str], stdout: TextIO) -> None:
    """The grade sheets just written, as CSV or as terminal tables."""
    for name, sheet in sheets.items():
        if run.opts.fmt == "csv":
            stdout.write(sheet.path.read_text(encoding="utf-8"))
        else:
            if len(sheets) > 1:
                print(f"\n{name}", file=stdout)
            writers.print_table(stdout, sheet.columns, writers.sheet_rows(sheet.path),
                                _widths(sheet.columns, students))


def _sheet_name(assignment: str, count: int) -> str:
    """``grades.csv``, or one ``grades-<assignment>.csv`` per assignment in a mixed class."""
    return "grades.csv" if count <= 1 else f"grades-{assignment}.csv"


def _sheets(run: Run) -> dict[str, writers.Sheet]:
    """Per assignment: its grade sheet's file, header, points-possible row and question ids."""
    out = run.opts.out
    sheets = {}
    for name, assignment in run.assignments.items():
        questions = assignment.context.rubric.questions
        columns = ["student", *[q.id for q in questions], "automatic", "manual_pending", "manual", "total",
                   "status"]
        possible = ["(points possible)", *[writers.fmt(q.max_points) for q in questions],
                    writers.fmt(assignment.context.rubric.max_points), "", "", "", ""]
        sheets[name] = writers.Sheet(out / _sheet_name(name, len(run.assignments)), columns, possible,
                                     [q.id for q in questions])
    if not sheets:
        sheets[""] = writers.Sheet(out / "grades.csv", ["student", "automatic", "manual_pending", "manual",
                                                        "total", "status"],
                                   ["(points possible)", "", "", "", "", ""], [])
    return sheets


def _header(run: Run) -> dict[str, Any]:
    names = sorted(run.assignments)
    return {"schema_version": 1, "grader_version": __version__,
            "assignment": names[0] if len(names) == 1 else None, "seed": run.seed,
            "sandbox": run.mode.value, "torch": run.torch,
            "created": datetime.now(UTC).isoformat(timespec="seconds")}


def _reports(run: Run, students: list[str]) -> Iterator[dict[str, Any]]:
    for student in students:
        yield run.store.read(run.store.current[student])


def _widths(columns: list[str], students: list[str]) -> list[int]:
    longest = max([len(s) for s in students] + [len(columns[0])])
    return [min(longest, 40), *[max(len(c), 6) for c in columns[1:]]]

