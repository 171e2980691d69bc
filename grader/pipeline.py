"""``grader check``: the grading pipeline, step by step.

    find -> start -> grade (load -> execute, isolated -> score -> store) -> report -> summarize

``check`` below is the table of contents; each step is a function here that calls the module
doing the work. The workers start right after ``find`` and boot (numpy, maybe torch) while
this process imports the rubric models and computes the reference answers: the modules that
need pydantic or numpy are imported inside the functions below, not up here.
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

from grader import escape, shards
from grader._version import __version__
from grader.assignments import (
    available,
    default_solutions,
    instructor_paths,
    torch_available,
    uses_torch,
)
from grader.discover import Discovery, Found, discover, discover_one
from grader.errors import SolutionsError, UsageError
from grader.exitcodes import ExitCode
from grader.limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, RunLimits
from grader.load import Submission, load, sniff_assignment
from grader.sandbox.bwrap import SandboxMode, detect_mode
from grader.sandbox.pool import Pool
from grader.shards import ClassPart, Shard
from grader.store import Store, StoreCorrupted, output_lock, result_key
from grader.threshold import Threshold

if TYPE_CHECKING:
    from grader import grade
    from grader.diff import Regrade
    from grader.execute import SubmissionJob
    from grader.report import SubmissionReport
    from grader.rubric import Rubric
    from grader.steps import SharedSteps

MAX_LISTED = 5  # names or reasons listed in the end-of-run summary before "and N more"
ONE_SUBMISSION = ("gradescope", "classroom")  # formats whose PATH is one student's submission


@dataclass
class CheckOptions:
    """Everything ``grader check`` was asked to do."""

    paths: list[Path]
    out: Path = Path("grader-results")
    assignment: str | None = None
    jobs: int = 2
    timeout: float = DEFAULT_TIMEOUT
    fmt: str = "table"
    seed: int | None = None
    solutions: Path | None = None
    rubric: Path | None = None
    sandbox: str = "auto"
    memory_mb: int = DEFAULT_MEMORY_MB
    progress: bool = True
    shard: Shard | None = None
    fail_under: Threshold | None = None


@dataclass
class Assignment:
    """One assignment's rubric, reference answers and shared item steps for this run."""

    context: grade.Context
    shared: SharedSteps


@dataclass
class Grading:
    """One ``grader check`` run: the state its steps share."""

    opts: CheckOptions
    store: Store
    seed: int
    torch: bool
    mode: SandboxMode
    assignments: dict[str, Assignment] = field(default_factory=dict)
    file_names: dict[str, str] = field(default_factory=dict)  # student -> feedback file name
    internal_errors: list[str] = field(default_factory=list)
    fresh: int = 0
    reused: int = 0


def check(opts: CheckOptions, stdout: TextIO | None = None, stderr: TextIO | None = None) -> ExitCode:
    """Grade every submission under ``opts.paths`` and write the reports (to stdout and stderr
    as they are when called, unless given)."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grader-") as scratch:
        found, part = split(opts, find(opts, Path(scratch)))
        named = survey(found.found, opts)
        with output_lock(opts.out, "check"):
            pool = start_workers(opts, named, Path(scratch))
            try:
                run = start(opts, named, found, stderr)
                record_shard(run, part)
                pool = matching_workers(run, pool, Path(scratch))
                if not grade_all(run, found.found, pool, stderr):
                    return ExitCode.INTERRUPTED
            finally:
                if pool is not None:
                    pool.close()
            summary = report(run, found.found, stdout)
    summarize(run, found, summary, time.monotonic() - started, stderr)
    if run.internal_errors:
        return ExitCode.INTERNAL_ERROR
    return ExitCode.BELOW_THRESHOLD if summary.below else ExitCode.OK


# -- find -----------------------------------------------------------------------------------------


def find(opts: CheckOptions, scratch: Path) -> Discovery:
    """The submissions under the paths; none at all is a usage error that says what was there."""
    if opts.fmt in ONE_SUBMISSION:
        return discover_one(opts.paths[0])  # Gradescope's upload folder is one student's
    found = discover(opts.paths, scratch, opts.out)
    if not found.found:
        ignored = found.ignored_text()
        raise UsageError(f"no submissions found in {', '.join(map(str, opts.paths))}"
                         + (f" ({ignored} ignored)" if ignored else "")
                         + ": a submission is a .py or .ipynb file, or a folder, directly inside PATH")
    return found


def split(opts: CheckOptions, found: Discovery) -> tuple[Discovery, ClassPart | None]:
    """With ``--shard K/N``, this shard's part of the class (ids computed over the whole class)."""
    if opts.shard is None:
        return found, None
    return shards.select(found, opts.shard)


def survey(found: list[Found], opts: CheckOptions) -> set[str]:
    """The known assignments the class names, read cheaply from the ASSIGNMENT lines."""
    if opts.assignment:
        return {opts.assignment}
    named = set()
    for f in found:
        files = [f.path] if f.path.is_file() else [p for p in f.path.glob("*") if p.suffix in (".py", ".ipynb")]
        for path in files:
            try:
                name = sniff_assignment(path.read_bytes()[: 4 << 20]) if path.is_file() else None
            except OSError:
                continue
            if name:
                named.add(name)
    named &= set(available())
    if opts.fmt == "csv" and len(named) > 1:
        raise UsageError(f"the class mixes assignments ({', '.join(sorted(named))}) and --format csv prints one "
                         "sheet: use the per-assignment grades-*.csv in --out, or pass --assignment")
    return named


# -- start --------------------------------------------------------------------------------------


def start_workers(opts: CheckOptions, named: set[str], scratch: Path) -> Pool | None:
    """Start the workers before anything heavy is imported: they boot on the other core."""
    if not named:
        return None
    return Pool(opts.jobs, detect_mode(opts.sandbox), scratch, torch=_guess_torch(opts, named), hidden=_hidden(opts))


def _guess_torch(opts: CheckOptions, named: set[str]) -> bool:
    """Whether the workers will need torch, from the rubric files alone (``matching_workers`` checks)."""
    return torch_available() and any(uses_torch(name, opts.rubric) for name in named)


def _hidden(opts: CheckOptions) -> tuple[Path, ...]:
    return (*instructor_paths(opts.solutions), opts.out, *opts.paths)


def start(opts: CheckOptions, named: set[str], found: Discovery, stderr: TextIO) -> Grading:
    """The run's seed, store and reference answers; the notes of discovery, on stderr."""
    from grader.outputs import FORMATS, _formats

    _formats()  # imported after the workers started: the output modules import pydantic
    if opts.fmt not in FORMATS:
        raise UsageError(f"--format {opts.fmt}: unknown format; the formats are {', '.join(sorted(FORMATS))}")
    mode = detect_mode(opts.sandbox)
    store = Store(opts.out)
    seed, resumed = store.seed(opts.seed)
    run = Grading(opts, store, seed, torch_available(), mode, file_names={f.student: f.file_name for f in found.found})
    notes = list(found.notes)
    if mode is SandboxMode.NONE and opts.sandbox == "auto":
        notes.append("bubblewrap does not work here: submissions run WITHOUT namespaces "
                     "(see README, 'The isolation model'); install bubblewrap for full isolation")
    for note in notes:
        print(f"note: {escape.terminal(note)}", file=stderr)
    solutions = opts.solutions or default_solutions()
    for assignment in sorted(named):
        run.assignments[assignment] = _prepare(assignment, opts, seed, run.torch, solutions)
    store.mark(state="running", seed=seed, resumed=resumed, grader_version=__version__)
    gc.freeze()  # rubrics and reference answers live to the end: the collector need not scan them
    return run


def matching_workers(run: Grading, pool: Pool | None, scratch: Path) -> Pool | None:
    """The pool, restarted if its torch guess (made from the rubric files alone) was wrong."""
    needs = run.torch and any(item.needs_torch for a in run.assignments.values()
                              for _, item, _ in a.context.rubric.items())
    if pool is not None and pool.torch != needs:
        pool.close()
        return Pool(run.opts.jobs, run.mode, scratch, torch=needs, hidden=_hidden(run.opts))
    return pool


def _prepare(assignment: str, opts: CheckOptions, seed: int, torch: bool, solutions: Path | None) -> Assignment:
    from grader import grade
    from grader.assignments import install_profile, load_rubric
    from grader.plan import item_steps
    from grader.reference import compute
    from grader.steps import SharedSteps

    rubric = load_rubric(assignment, opts.rubric)
    if solutions is None:
        raise SolutionsError("no solutions folder: pass --solutions DIR (the reference solver)")
    profile = install_profile(assignment, opts.rubric)  # its harnesses run the reference too
    _check_harnesses(rubric, opts.rubric)
    expected = compute(rubric, solutions, seed, torch=torch)
    probes = {key: e.probes for key, e in expected.items()}
    steps = item_steps(rubric, probes, set(expected))
    return Assignment(grade.Context(rubric, expected, torch), SharedSteps.of(steps, assignment, profile))


def _check_harnesses(rubric: Rubric, override: Path | None) -> None:
    """Every harness a function item names is the built-in ``call`` or its profile's."""
    from grader.assignments import rubric_path
    from grader.profile import HARNESSES

    for question, item, _ in rubric.items():
        harness = getattr(item, "harness", "call")
        if harness != "call" and harness not in HARNESSES:
            path = rubric_path(rubric.assignment, override)
            raise UsageError(f"{path}: {question.id}/{item.name} names the harness {harness!r}, which the "
                             f"profile {path.with_suffix('.py').name} does not define")


def record_shard(run: Grading, part: ClassPart | None) -> None:
    """A shard's manifest in its output folder (what ``grader merge`` checks), or none."""
    settings = {"torch": run.torch, "sandbox": run.mode.value, "timeout": run.opts.timeout,
                "memory_mb": run.opts.memory_mb, "assignment": run.opts.assignment}
    assignments = {name: {"rubric": run.assignments[name].context.rubric.digest,
                          "columns": [[c.id, c.max_points, c.manual_max_points] for c in columns]}
                   for name, columns in _plan(run).questions.items()}
    shards.record(run.opts.out, part, {"seed": run.seed, "grader_version": __version__, "settings": settings,
                                       "assignments": assignments})


# -- grade --------------------------------------------------------------------------------------


def grade_all(run: Grading, found: list[Found], pool: Pool | None, stderr: TextIO) -> bool:
    """Grade every submission, storing each result as it comes; False when interrupted."""
    from tqdm import tqdm

    from grader.execute import SubmissionJob

    bar = tqdm(total=len(found), unit="sub", file=stderr, disable=not (run.opts.progress and stderr.isatty()))
    try:
        jobs = _jobs(run, found, bar)
        for job in pool.process(jobs) if pool else jobs:
            assert isinstance(job, SubmissionJob)
            _record(run, job)
            bar.update()
    except KeyboardInterrupt:
        run.store.close()
        print(f"interrupted: {run.fresh} results are saved in {run.opts.out}; run the same command to resume",
              file=stderr)
        return False
    finally:
        bar.close()
    return True


def _jobs(run: Grading, found: list[Found], bar: Any) -> Iterator[SubmissionJob]:
    """The submissions that must run, as jobs; the others are settled on the way."""
    for f in found:
        job = _triage(run, f)
        if job is None:
            bar.update()
        else:
            yield job


def _triage(run: Grading, f: Found) -> SubmissionJob | None:
    """Load one submission: a job to run, or None when it is settled here (its stored result
    is reused, or it cannot run and is scored as it stands)."""
    from grader import grade
    from grader.execute import SubmissionJob
    from grader.plan import load_steps

    sub = load(f.student, f.path, f.display)
    name = _resolve(sub, run.opts.assignment, run.assignments)
    assignment = run.assignments.get(name or "")
    key = _key(run, sub, name, assignment.context.rubric if assignment else None)
    if run.store.cached(key):
        run.store.use(sub.student, key)
        run.reused += 1
        return None
    if sub.error or assignment is None:
        _save(run, key, grade.unusable(assignment.context if assignment else None, sub, name))
        return None
    return SubmissionJob(sub, load_steps(sub, assignment.context.rubric), assignment.shared,
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


def _key(run: Grading, sub: Submission, assignment: str | None, rubric: Rubric | None) -> str:
    return result_key(hash=sub.content_hash, source=sub.source, assignment=assignment,
                      rubric=rubric.digest if rubric else "", seed=run.seed, version=__version__,
                      torch=run.torch, forced=run.opts.assignment or "", timeout=run.opts.timeout,
                      memory=run.opts.memory_mb)


def _limits(opts: CheckOptions) -> dict[str, int]:
    return RunLimits.of(opts.memory_mb, opts.timeout).wire()


def _record(run: Grading, job: SubmissionJob) -> None:
    from grader import grade

    try:
        report = grade.grade(job.context, job.sub, job)
    except Exception as exc:  # a grader bug: reported loudly, never scored as zero silently
        problem = f"{job.sub.student}: {type(exc).__name__}: {exc}"
        run.internal_errors.append(problem)
        job.sub.error = f"internal grader error, not the student's fault ({problem}); please report it"
        _save(run, f"uncacheable-{job.key}", grade.unusable(None, job.sub, job.context.rubric.assignment))
        return
    _save(run, job.key, report)


def _save(run: Grading, key: str, report: SubmissionReport) -> None:
    from grader.outputs import feedback

    report.feedback_file = feedback.relative_path(run.file_names[report.student])
    # Feedback first: a run killed in between has no stored result, so resuming grades the
    # submission again and rewrites its feedback; the other way round it would keep a stale one.
    feedback.write(run.opts.out, report)
    run.store.add(report.student, key, report.model_dump(mode="json"))
    run.fresh += 1


# -- report -------------------------------------------------------------------------------------


@dataclass
class Summary:
    """What the end-of-run lines on stderr say, gathered in the same pass as the outputs."""

    errors: list[tuple[str, str]] = field(default_factory=list)  # (student, reason)
    unresolved: list[str] = field(default_factory=list)
    not_gradable: int = 0
    threshold: Threshold | None = None
    below: list[str] = field(default_factory=list)  # students below --fail-under
    regrade: Regrade | None = None  # the comparison with the report.json this run replaces
    regrade_note: str = ""  # why there is none, when there was a report.json

    def add(self, report: SubmissionReport) -> None:
        if self.regrade is not None:
            self.regrade.add(report)
        if self.threshold is not None and self.threshold.below(report):
            self.below.append(report.student)
        if report.status == "error":
            self.errors.append((report.student, report.error or ""))
            if not report.questions:
                self.unresolved.append(report.student)
        if report.not_gradable_points:
            self.not_gradable += 1

    def close(self) -> None:
        if self.regrade is not None:
            self.regrade.close()


def report(run: Grading, found: list[Found], stdout: TextIO) -> Summary:
    """report.json, report.html, the grade sheets, the feedback files and the stdout format, in
    one pass; a re-grade is compared with the report.json it replaces as it goes."""
    from grader.diff import Regrade
    from grader.outputs import RunInfo, write_all

    regrade, note = Regrade.of(run.opts.out)
    rubrics = {name: a.context.rubric.digest[:12] for name, a in run.assignments.items()}
    info = RunInfo(header=_header(run), out=run.opts.out, plan=_plan(run), students=len(found), rubrics=rubrics,
                   changes=regrade)
    summary = Summary(threshold=run.opts.fail_under, regrade=regrade, regrade_note=note)
    try:
        run.store.compact([f.student for f in found])
        write_all(info, _reports(run, found, summary), run.opts.fmt, stdout)
    except StoreCorrupted:
        for stale in [run.opts.out / "report.json", *run.opts.out.glob("grades*.csv")]:
            stale.unlink(missing_ok=True)  # whatever is there was not written by this run
        raise
    finally:
        run.store.close()
        if regrade is not None:
            regrade.before.close()
    run.store.mark(state="complete", seed=run.seed, grader_version=__version__)
    return summary


def _plan(run: Grading) -> Any:
    """Which sheet each assignment's students go to, and its question columns."""
    from grader.outputs import QuestionColumn, SheetPlan

    return SheetPlan({name: tuple(QuestionColumn(q.id, *_maxima(q)) for q in a.context.rubric.questions)
                      for name, a in sorted(run.assignments.items())})


def _maxima(question: Any) -> tuple[float, float]:
    from grader.report import round_points

    automatic = sum(points for item, points in question.items() if not item.is_manual)
    manual = sum(points for item, points in question.items() if item.is_manual)
    return round_points(automatic), round_points(manual)


def _header(run: Grading) -> Any:
    from grader.report import RunHeader

    names = sorted(run.assignments)
    return RunHeader(grader_version=__version__, assignment=names[0] if len(names) == 1 else None,
                     seed=run.seed, sandbox=run.mode.value, torch=run.torch,
                     created=datetime.now(UTC).isoformat(timespec="seconds"))


def _reports(run: Grading, found: list[Found], summary: Summary) -> Iterator[SubmissionReport]:
    """Each student's stored report, with its feedback file and the manual scores entered."""
    from grader import manual
    from grader.outputs.feedback import relative_path
    from grader.report import SubmissionReport

    entries = manual.read(run.opts.out)
    for f in found:
        stored = SubmissionReport.model_validate(run.store.read(run.store.current[f.student]))
        stored.feedback_file = relative_path(f.file_name)
        merged = manual.apply(stored, entries)
        summary.add(merged)
        yield merged
    summary.close()  # before the outputs close: report.html shows what it gathered


# -- summarize ----------------------------------------------------------------------------------


def summarize(run: Grading, found: Discovery, summary: Summary, seconds: float, stderr: TextIO) -> None:
    """The end of a run on stderr: what was graded, what failed and why, what was passed over."""
    total = len(found.found)
    print(f"graded {total} submissions ({run.fresh} run, {run.reused} reused) in {seconds:.1f} s; "
          f"seed {run.seed}; reports in {run.opts.out}/", file=stderr)
    if summary.errors:
        listed = "; ".join(f"{escape.terminal(s)}: {escape.terminal(' '.join(r.split()))[:100]}"
                           for s, r in summary.errors[:MAX_LISTED])
        more = f"; and {len(summary.errors) - MAX_LISTED} more" if len(summary.errors) > MAX_LISTED else ""
        print(f"{len(summary.errors)} with status error: {listed}{more}", file=stderr)
    if summary.unresolved:
        names = ", ".join(escape.terminal(s) for s in summary.unresolved[:MAX_LISTED])
        print(f"warning: {len(summary.unresolved)} submission(s) could not be graded as any known assignment "
              f"({names}{', ...' if len(summary.unresolved) > MAX_LISTED else ''}): they are in the grade "
              "sheets with status error; see their reason", file=stderr)
    if found.ignored:
        print(f"ignored: {found.ignored_text()}", file=stderr)
    _regrade_lines(run, summary, stderr)
    if summary.below:
        names = ", ".join(escape.terminal(s) for s in summary.below[:MAX_LISTED])
        print(f"below --fail-under {run.opts.fail_under}: {len(summary.below)} submission(s) ({names}"
              f"{', ...' if len(summary.below) > MAX_LISTED else ''}): exit {int(ExitCode.BELOW_THRESHOLD)}",
              file=stderr)
    if summary.not_gradable:
        print(f"not gradable here: {summary.not_gradable} submission(s) have parts that need torch, which is "
              "not installed (see README, 'Installing torch')", file=stderr)
    for problem in run.internal_errors:
        print(f"internal error: {escape.terminal(problem)}", file=stderr)


def _regrade_lines(run: Grading, summary: Summary, stderr: TextIO) -> None:
    """What a re-grade changed, and how large report.html is."""
    from grader.diff import summary_lines

    if summary.regrade_note:
        print(f"note: {escape.terminal(summary.regrade_note)}", file=stderr)
    if summary.regrade is not None:
        for line in summary_lines(summary.regrade, run.opts.out):
            print(line, file=stderr)
    page = run.opts.out / "report.html"
    if page.is_file():
        print(f"class report: {page} ({page.stat().st_size / 1e6:.1f} MB)", file=stderr)
