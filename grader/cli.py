"""The ``grader`` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

# The grader's own numpy work is small: idle BLAS threads would only spin on the cores the
# submissions need. Set before numpy is first imported (the rubric models import it).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# The rubric models (pydantic, numpy: half a second) are imported by the commands that need
# them, so that `grader selftest` can start its sandbox worker first.
from grader._version import __version__
from grader.errors import EnvironmentProblem, GraderError, UsageError
from grader.exitcodes import ExitCode
from grader.limits import DEFAULT_MEMORY_MB, MIN_MEMORY_MB

if TYPE_CHECKING:
    from grader.shards import Shard

BROKEN_PIPE = 141  # as a shell reports a command that a closed pipe stopped (128 + SIGPIPE)
EPILOG = """exit codes: 0 every submission got a report (or selftest passed), 1 selftest found
problems, 2 usage error (bad arguments, missing path, malformed rubric, no solutions, an output
folder that cannot be written or that another grader process is writing, shards that do not
fit), 3 internal error (a grader bug; results so far are kept), 4 environment problem, 5 a
submission is below --fail-under, 130 interrupted (run the same command again to resume), 141
the output was closed early (e.g. piped to head; files written to disk are complete)."""


def run() -> NoReturn:
    """The ``grader`` console script: ``main``, then exit without tearing the interpreter down.

    Every file the grader writes is closed (or flushed) before ``main`` returns, so nothing is
    lost by skipping the teardown of pydantic's and numpy's objects (0.2 s, a fifth of a
    self-test).
    """
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # `grader list | head`: the reader left; what was written to disk stays
        code = BROKEN_PIPE
    try:
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``grader`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "rubrics", None):
            from grader.assignments import add_rubric_dirs

            add_rubric_dirs(args.rubrics)
        return int(args.handler(args))
    except UsageError as exc:
        print(f"grader: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    except EnvironmentProblem as exc:
        print(f"grader: environment problem: {exc}", file=sys.stderr)
        return ExitCode.ENVIRONMENT_ERROR
    except GraderError as exc:
        print(f"grader: internal error: {exc}", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader", description="Grade backpropagation homework submissions, isolated and fast.",
        epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"backprop-grader {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _check_parser(commands)
    _selftest_parser(commands)
    _solve_parser(commands)
    listing = commands.add_parser("list", help="list the assignments, questions, items and points")
    _rubrics_option(listing)
    listing.set_defaults(handler=_list)
    _rubric_parser(commands)
    _manual_parser(commands)
    _merge_parser(commands)
    _diff_parser(commands)
    return parser


def _rubrics_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--rubrics", type=Path, action="append", metavar="DIR",
                         help="a folder of a course's own rubrics (<id>.toml, and <id>.py for a profile), "
                         "searched before the shipped ones; may be given more than once")


def _check_parser(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser(
        "check", help="grade a class: every file or folder directly under PATH is one submission",
        description="Grade submissions in isolated child processes and write report.json, report.html, "
        "grades.csv, junit.xml and one feedback file per student to --out; a re-grade says on stderr whose "
        "totals changed. Under GitHub Actions, also a job summary "
        "(GITHUB_STEP_SUMMARY) and annotations on stderr (GITHUB_ACTIONS=true).", epilog=EPILOG)
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                       help="a folder of submissions (each file or folder in it is one), one submission "
                       "file, or a .zip; with --format gradescope or classroom, the one submission: a file or "
                       "the folder of its files")
    check.add_argument("--assignment", help="grade as this assignment (default: each file's ASSIGNMENT line)")
    check.add_argument("--out", type=Path, default=Path("grader-results"), help="output folder (default: %(default)s)")
    check.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel workers (default: CPU count)")
    check.add_argument("--timeout", type=float, default=60.0,
                       help="wall-clock seconds per submission, all its calls included (default: %(default)s)")
    check.add_argument("--format", default="table", metavar="FORMAT",
                       help="what to print on stdout: table (the grade tables), json (report.json), csv (the "
                       "grade sheet of a one-assignment class), junit (junit.xml), gradescope (Gradescope's "
                       "results.json for one submission), or classroom (GitHub Classroom's reporter result for "
                       "one submission; under Actions also the step output `result`) (default: %(default)s)")
    check.add_argument("--seed", type=int, help="replay a run's probe seed (default: fresh, or the interrupted run's)")
    check.add_argument("--solutions", type=Path, help="the reference solver folder (default: solutions/ of the checkout)")
    check.add_argument("--rubric", type=Path, help="use this rubric file instead of the shipped one")
    _rubrics_option(check)
    check.add_argument("--sandbox", choices=["auto", "bwrap", "none"], default="auto",
                       help="isolation: bubblewrap when it works (auto), required (bwrap), or processes only (none)")
    check.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MB, metavar="MB",
                       help="memory a submission may allocate (heap and anonymous memory, not the libraries "
                       f"it maps), at least {MIN_MEMORY_MB} (default: %(default)s MB)")
    check.add_argument("--no-progress", action="store_true", help="no progress bar")
    check.add_argument("--shard", metavar="K/N",
                       help="grade only part K of N of the class (K counts from 1), chosen by a hash of each student "
                       "id; needs --seed, the same for every shard; join the parts with `grader merge`. Default: "
                       "from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX (from 0) with "
                       "GRADER_SHARD_COUNT, when set; else the whole class")
    check.add_argument("--fail-under", metavar="POINTS|PCT%",
                       help="exit 5 when a submission's automatic points are below POINTS, or below PCT%% of the "
                       "automatic points possible (default: never, whatever the scores)")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    from grader import threshold
    from grader.pipeline import ONE_SUBMISSION, CheckOptions, check

    if args.timeout <= 0 or args.jobs < 1:
        raise UsageError("--timeout must be positive and --jobs at least 1")
    if args.memory < MIN_MEMORY_MB:
        raise UsageError(f"--memory {args.memory} is below {MIN_MEMORY_MB} MB, the least the grading harness "
                         "itself needs to run a submission")
    if args.format in ONE_SUBMISSION and len(args.paths) != 1:
        raise UsageError(f"--format {args.format} grades one submission: give one PATH, the file or the folder "
                         "of its files")
    opts = CheckOptions(paths=args.paths, out=args.out, assignment=args.assignment, jobs=args.jobs,
                        timeout=args.timeout, fmt=args.format, seed=args.seed, solutions=args.solutions,
                        rubric=args.rubric, sandbox=args.sandbox, memory_mb=args.memory,
                        progress=not args.no_progress, shard=_shard(args),
                        fail_under=threshold.parse(args.fail_under) if args.fail_under is not None else None)
    return check(opts)


def _shard(args: argparse.Namespace) -> Shard | None:
    """``--shard K/N``, else the engine's own variables; None for the whole class (or 1/1)."""
    from grader import shards
    from grader.pipeline import ONE_SUBMISSION

    shard = shards.parse(args.shard) if args.shard is not None else shards.from_environment(os.environ)
    if shard is None or shard.count == 1:
        return None
    if args.format in ONE_SUBMISSION:
        raise UsageError(f"--format {args.format} grades one submission: it cannot be sharded ({shard.source})")
    if args.seed is None:
        raise UsageError(f"grading shard {shard} ({shard.source}) needs --seed, the same for every shard: the "
                         "shards' probes, and so their results, must be the same as one run's")
    if shard.source != "--shard":
        print(f"note: grading shard {shard} of the class, from {shard.source}", file=sys.stderr)
    return shard


def _merge_parser(commands: argparse._SubParsersAction) -> None:
    merge = commands.add_parser(
        "merge", help="join the output folders of `grader check --shard K/N` runs into one",
        description="Join every shard's output folder into one, as one `grader check` of the whole class with that "
        "seed would have written it (report.json, report.html, grade sheets, feedback, junit.xml, results.jsonl, "
        "run.json). "
        "Refuses shards of different runs (seed, grader version, settings, class, rubrics), a student in two "
        "shards, and a shard missing, given twice or unfinished.", epilog=EPILOG)
    merge.add_argument("shards", nargs="+", type=Path, metavar="OUT", help="a shard's output folder")
    merge.add_argument("--out", type=Path, required=True, help="the merged output folder")
    merge.set_defaults(handler=_merge)


def _merge(args: argparse.Namespace) -> int:
    from grader.merge import merge

    merged = merge(args.shards, args.out)
    print(f"merged {merged.shards} shards, {merged.students} submissions, into {args.out}/", file=sys.stderr)
    return ExitCode.OK


def _selftest_parser(commands: argparse._SubParsersAction) -> None:
    selftest = commands.add_parser(
        "selftest", help="check your own submission before you hand it in (never shows answers)",
        description="Load your submission in the sandbox and check names, kinds, shapes and gradient "
        "consistency. Passing is not a grade.", epilog=EPILOG)
    selftest.add_argument("path", type=Path, metavar="PATH", help="your .py, .ipynb or folder")
    selftest.add_argument("--question", help="check only this question")
    selftest.add_argument("--assignment", help="the assignment, if the file has no ASSIGNMENT line")
    _rubrics_option(selftest)
    selftest.set_defaults(handler=_selftest)


def _selftest(args: argparse.Namespace) -> int:
    from grader.selftest import selftest_path

    return selftest_path(args.path, question=args.question, assignment=args.assignment)


def _solve_parser(commands: argparse._SubParsersAction) -> None:
    solve = commands.add_parser("solve", help="print the canonical answers (instructors only)")
    solve.add_argument("assignment", help="the assignment id")
    solve.add_argument("--format", choices=["json", "table"], default="table")
    solve.add_argument("--solutions", type=Path, help="the reference solver folder")
    _rubrics_option(solve)
    solve.set_defaults(handler=_solve)


def _solve(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from grader import assignments
    from grader.errors import SolutionsError
    from grader.reference import canonical

    loaded = assignments.load_rubric(args.assignment)
    folder = args.solutions or assignments.default_solutions()
    if folder is None:
        raise SolutionsError("no solutions folder: pass --solutions DIR")
    answers = canonical(loaded, folder)
    if args.format == "json":
        print(json.dumps(answers, indent=2))
    else:
        rows = [(q, name, json.dumps(value)) for q, items in answers.items() for name, value in items.items()]
        print(tabulate(rows, headers=["question", "name", "answer"]))
    return ExitCode.OK


def _list(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from grader import assignments
    from grader.report import points_text

    for name in assignments.available():
        loaded = assignments.load_rubric(name)
        by_hand = sum(points for _, item, points in loaded.items() if item.is_manual)
        print(f"{loaded.assignment}: {loaded.title} ({points_text(loaded.max_points)} points: "
              f"{points_text(loaded.max_points - by_hand)} automatic, {points_text(by_hand)} graded by hand)")
        rows = [(q.id, item.name, item.kind, points_text(points)) for q, item, points in loaded.items()]
        print(tabulate(rows, headers=["question", "item", "kind", "points"], disable_numparse=True), end="\n\n")
    return ExitCode.OK


def _rubric_parser(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("rubric", help="validate a rubric file or print the rubric schema")
    sub = group.add_subparsers(dest="rubric_command", required=True, metavar="ACTION")
    validate = sub.add_parser("validate", help="check one rubric file")
    validate.add_argument("file", type=Path)
    validate.set_defaults(handler=_rubric_validate)
    schema = sub.add_parser("schema", help="print the rubric format as JSON Schema")
    schema.set_defaults(handler=_rubric_schema)


def _rubric_schema(args: argparse.Namespace) -> int:
    from grader import rubric

    print(json.dumps(rubric.json_schema(), indent=2))
    return ExitCode.OK


def _rubric_validate(args: argparse.Namespace) -> int:
    from grader import rubric

    loaded = rubric.load(args.file)
    print(f"{args.file}: valid rubric for {loaded.assignment} ({len(loaded.questions)} questions, "
          f"{loaded.max_points:g} points)")
    return ExitCode.OK


def _diff_parser(commands: argparse._SubParsersAction) -> None:
    diff = commands.add_parser(
        "diff", help="compare two output folders: whose totals and items changed",
        description="Compare the report.json of two `grader check` output folders: per student, the total "
        "and every item whose outcome or points differ. Exit 0 whether or not anything changed; 2 when a "
        "folder or its report.json is missing or unreadable.")
    diff.add_argument("a", type=Path, metavar="OUT_A", help="the earlier output folder")
    diff.add_argument("b", type=Path, metavar="OUT_B", help="the later output folder")
    diff.add_argument("--format", choices=["table", "json", "csv"], default="table",
                      help="a table, JSON or CSV, one row per changed total and item (default: %(default)s)")
    diff.set_defaults(handler=_diff)


def _diff(args: argparse.Namespace) -> int:
    from grader.diff import diff_folders

    sys.stdout.write(diff_folders(args.a, args.b, args.format))
    return ExitCode.OK


def _manual_parser(commands: argparse._SubParsersAction) -> None:
    manual = commands.add_parser(
        "manual", help="enter a manual score for a text item; the reports, sheets and feedback show it",
        description="Record an instructor's score (and comment) for a text item in OUT/manual.csv, then rewrite "
        "OUT/report.json, the grade sheets and the student's feedback file with it. Re-grading keeps manual "
        "scores.")
    manual.add_argument("out", type=Path, help="the output folder of a `grader check` run")
    manual.add_argument("--student", required=True)
    manual.add_argument("--item", required=True, help="QUESTION/NAME, e.g. q1a/Q1A_DERIVATION")
    manual.add_argument("--points", required=True, type=float)
    manual.add_argument("--comment", default="")
    manual.set_defaults(handler=_manual)


def _manual(args: argparse.Namespace) -> int:
    from grader.manual import enter

    rewritten = enter(args.out, args.student, args.item, args.points, args.comment)
    print(f"recorded {args.points:g} points for {args.student} {args.item}; rewritten in {args.out}/: "
          f"{', '.join(rewritten)}")
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
