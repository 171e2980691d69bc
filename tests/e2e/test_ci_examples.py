"""The pipelines in examples/ci/, read as their CI systems and shells read them.

The GitHub workflows and the GitLab file are validated against the schemas check-jsonschema
vendors (offline), the Kubernetes manifest is read with PyYAML, every shell block passes
shellcheck, and every ``grader`` command line (in every file's strings and scripts, the shell
script's comments included, and in the README's "For CI" snippets) is given to the grader's own
argument parser, without abbreviations, with plausible values for its ``${{ ... }}`` and
``$VAR`` placeholders: a renamed option or format, a matrix that does not match its
``--shard K/N``, a merge that would miss a shard or a reporter wired to the wrong step fails
here. Prose names a command in backticks (`grader merge`); anything else that reads
``grader <command>`` is a command line. The GitLab job's command is also run, on the bundled
jhu-hw3 class.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import io
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from grader import assignments, shards, threshold
from grader.cli import _parser
from grader.outputs import FORMATS, _formats
from grader.pipeline import ONE_SUBMISSION
from tests.conftest import EXAMPLES, ROOT, run_grader

CI = ROOT / "examples" / "ci"
CLASSROOM, CLASS, GITLAB = "github-classroom.yml", "github-actions-class.yml", "gitlab-ci.yml"
SLURM, K8S = "slurm-array.sh", "k8s-indexed-job.yaml"
FILES = (CLASSROOM, CLASS, GITLAB, SLURM, K8S)
SHARDED = (CLASS, SLURM, K8S)
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
SCHEMAS = {"vendor.github-workflows": (CLASSROOM, CLASS), "vendor.gitlab-ci": (GITLAB,)}

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
VARIABLE = re.compile(r"\$\{(\w+)(?:[:?=+-][^}]*)?\}|\$(\w+)")
NUMERIC = ("SEED", "INDEX", "TASK_ID", "COUNT", "CPUS")  # a variable named so holds a whole number
PUNCTUATION = set("();<>|&")


def _subcommands() -> list[str]:
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(action.choices)


COMMAND = re.compile(r"(?<![`\w./-])grader\s+(?:" + "|".join(_subcommands()) + r")\b")


# -- reading the files ----------------------------------------------------------------------------


def text(name: str) -> str:
    return (CI / name).read_text(encoding="utf-8")


def documents(name: str) -> list[Any]:
    return list(yaml.safe_load_all(text(name)))


def strings(value: Any) -> Iterator[str]:
    """Every string in a loaded YAML document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def logical_lines(script: str) -> Iterator[str]:
    """Shell text as logical lines: a comment's ``#`` taken off (a command shown in a comment is
    a command too), and a line that ends in a backslash joined to the next."""
    pending = ""
    for raw in script.splitlines():
        line = re.sub(r"^\s*#+ ?", "", raw).rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield pending + line
        pending = ""
    if pending:
        yield pending


def commands_in(script: str) -> list[str]:
    """The ``grader ...`` command lines in a piece of shell, up to the first shell operator (or
    the closing quote, for a command quoted as an argument, e.g. ``sbatch --wrap "grader ..."``)."""
    found = []
    for line in logical_lines(script):
        for match in COMMAND.finditer(line):
            rest = line[match.start():]
            quote = line[match.start() - 1] if match.start() else ""
            if quote in ("'", '"') and quote in rest:
                rest = rest[:rest.index(quote)]
            found.append(rest)
    return found


def file_commands(name: str) -> list[str]:
    """Every command line of a file: in a YAML file, those in its strings (its comments name
    commands in backticks only); in a shell script, those in its lines, comments included."""
    if name.endswith((".yml", ".yaml")):
        return [command for doc in documents(name) for string in strings(doc) for command in commands_in(string)]
    return commands_in(text(name))


def actions_values(script: str, shard: int = 1) -> str:
    """A GitHub Actions script with its ``${{ ... }}`` expressions given plausible values."""
    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("matrix."):
            return str(shard)
        return "12345" if "seed" in expression or "run_id" in expression else "value"
    return EXPRESSION.sub(value, script)


def shell_values(script: str, known: Mapping[str, str] | None = None) -> str:
    """Shell variables given plausible values: ``known`` ones, a number for a seed, an index or
    a count, else the name in lower case."""
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if known and name in known:
            return known[name]
        return "3" if any(part in name.upper() for part in NUMERIC) else name.lower()
    return VARIABLE.sub(value, script)


def split(command: str, known: Mapping[str, str] | None = None) -> list[str]:
    """The command's words, placeholders filled in, up to the first shell operator."""
    lexer = shlex.shlex(shell_values(actions_values(command), known), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = []
    for word in lexer:
        if set(word) <= PUNCTUATION:
            break
        words.append(word)
    return words


def strict_parser() -> argparse.ArgumentParser:
    """The grader's parser, taking no abbreviation: an option renamed from ``--no-progress`` to
    ``--no-progress-bar`` must not go on accepting ``--no-progress`` as its prefix."""
    parser = _parser()
    parser.allow_abbrev = False
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                command.allow_abbrev = False
    return parser


def parse(command: str, known: Mapping[str, str] | None = None) -> argparse.Namespace:
    """The command as the grader's parser reads it, and what ``grader check`` checks of its values
    before grading."""
    words = split(command, known)
    assert words[0] == "grader", command
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            args = strict_parser().parse_args(words[1:])
    except SystemExit:
        pytest.fail(f"the grader's parser refuses {command!r}:\n{errors.getvalue()}")
    if args.command == "check":
        _formats()
        assert args.format in FORMATS, f"{command!r}: no format {args.format!r}"
        if args.shard is not None:
            shards.parse(args.shard)
            assert args.seed is not None, f"{command!r}: a shard needs --seed"
        if args.fail_under is not None:
            threshold.parse(args.fail_under)
        if args.assignment is not None:
            assert args.assignment in assignments.available(), f"{command!r}: no assignment {args.assignment!r}"
        if args.format in ONE_SUBMISSION:
            assert len(args.paths) == 1, command
    return args


def shell_defaults(script: str) -> dict[str, str]:
    """``name="${VAR:-default}"`` assignments of a script: name -> default."""
    return dict(re.findall(r'^(\w+)="\$\{\w+:-([^}]*)\}"$', script, re.MULTILINE))


def option_word(command: str, option: str) -> str:
    """The word after ``option`` in a command as written, placeholders unfilled."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = list(lexer)
    return words[words.index(option) + 1]


def covers(pattern: str, folder: str | Path) -> bool:
    """Whether the shell glob ``pattern`` names ``folder``."""
    return fnmatch.fnmatchcase(str(PurePosixPath(str(folder))), str(PurePosixPath(pattern)))


def every_command() -> list[tuple[str, str]]:
    return [(name, command) for name in FILES if (CI / name).exists() for command in file_commands(name)]


# -- the files ------------------------------------------------------------------------------------


def test_every_example_is_there_and_says_where_it_goes_and_what_it_needs() -> None:
    for name in FILES:
        lines = text(name).splitlines()
        header = lines[1:] if lines[0].startswith("#!") else lines
        assert header[0].startswith("# ") and header[1].startswith("#"), f"{name}: no comment header"
    assert (CI / SLURM).stat().st_mode & 0o111, f"{SLURM} is not executable"
    found = {name: {parse(command).command for command in file_commands(name)} for name in FILES}
    assert all(found.values()), found
    for name in SHARDED:
        assert {"check", "merge"} <= found[name], (name, found[name])


@pytest.mark.parametrize(("schema", "names"), SCHEMAS.items())
def test_pipelines_validate_against_the_vendored_schemas(schema: str, names: tuple[str, ...], tmp_path: Path) -> None:
    def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
                              capture_output=True, text=True, timeout=120, check=False)

    done = validate(*(CI / name for name in names))
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / names[0]  # the control: a job with a key no CI system knows fails
    document = yaml.safe_load(text(names[0]))
    jobs = document["jobs"] if "jobs" in document else document
    next(job for job in jobs.values() if isinstance(job, dict))["scirpt"] = "typo"
    broken.write_text(yaml.safe_dump(document))
    assert validate(broken).returncode == 1


@pytest.mark.parametrize(("name", "command"), every_command(),
                         ids=[f"{name}:{command[:60]}" for name, command in every_command()])
def test_every_grader_command_is_accepted_by_the_grader(name: str, command: str) -> None:
    parse(command)


# -- shellcheck -----------------------------------------------------------------------------------


def shell_blocks() -> Iterator[tuple[str, str, str]]:
    """(where, shell, script) for every shell block: GitHub's `run:` (bash), GitLab's
    `before_script:` and `script:` (sh: the image may have no bash) and the pods' `sh -c`."""
    for name in (CLASSROOM, CLASS):
        for job_id, job in yaml.safe_load(text(name))["jobs"].items():
            for number, step in enumerate(job["steps"], 1):
                if "run" in step:
                    yield f"{name} {job_id} step {number}", "bash", actions_values(step["run"])
    for job_id, job in yaml.safe_load(text(GITLAB)).items():
        if isinstance(job, dict) and "script" in job:
            yield f"{GITLAB} {job_id}", "sh", "\n".join([*job.get("before_script", []), *job["script"]]) + "\n"
    for doc in documents(K8S):
        for container in doc["spec"]["template"]["spec"]["containers"]:
            if container["command"][:2] == ["sh", "-c"]:
                yield f"{K8S} {doc['metadata']['name']}", "sh", container["command"][2] + "\n"
    yield SLURM, "", text(SLURM)


@pytest.mark.skipif(shutil.which("shellcheck") is None,
                    reason="shellcheck is not installed (CI installs it: .ci/run)")
def test_every_shell_block_passes_shellcheck() -> None:
    blocks = list(shell_blocks())
    assert len(blocks) >= 8
    for where, shell, script in blocks:
        options = [f"--shell={shell}"] if shell else []
        done = subprocess.run(["shellcheck", *options, "-"], input=script, capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 0, f"{where}:\n{script}\n{done.stdout}{done.stderr}"


# -- GitHub Classroom -----------------------------------------------------------------------------


def test_classroom_reporter_reads_the_result_of_the_grading_step() -> None:
    workflow = yaml.safe_load(text(CLASSROOM))
    assert workflow["name"] == "Autograding Tests"  # what the reporter's README asks for
    assert list(workflow["jobs"]) == ["run-autograding-tests"]
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    [at] = [i for i, step in enumerate(steps) if step.get("uses") == REPORTER]
    reporter = steps[at]
    runners = [runner.strip() for runner in re.split(r"[\s,]", str(reporter["with"]["runners"])) if runner.strip()]
    assert runners
    assert set(reporter["env"]) == {f"{runner.upper()}_RESULTS" for runner in runners}
    ids = {step["id"]: i for i, step in enumerate(steps) if "id" in step}
    checkouts = {step.get("with", {}).get("path", "."): step for step in steps
                 if str(step.get("uses", "")).startswith("actions/checkout@")}
    for runner in runners:
        assert ids.get(runner, at) < at, f"no step {runner!r} before the reporter"
        wired = reporter["env"][f"{runner.upper()}_RESULTS"]
        assert re.fullmatch(r"\$\{\{\s*steps\." + re.escape(runner) + r"\.outputs\.result\s*\}\}", wired), wired
        [command] = commands_in(steps[ids[runner]]["run"])
        args = parse(command)
        assert args.command == "check" and args.format == "classroom"
        # the student's own checkout is graded, with the reference of the other (private) one
        [submission] = args.paths
        assert "repository" not in checkouts[str(submission)].get("with", {})
        assert args.solutions is not None and args.rubrics, "the reference is not in the package students install"
        for folder in (args.solutions, *args.rubrics):
            assert "repository" in checkouts[folder.parts[0]]["with"], folder


# -- sharding -------------------------------------------------------------------------------------


def test_actions_matrix_is_the_shard_count_with_one_seed_and_merge_waits_for_every_shard() -> None:
    workflow = yaml.safe_load(text(CLASS))
    jobs = workflow["jobs"]
    [(grade_id, grade)] = [(job_id, job) for job_id, job in jobs.items() if "matrix" in job.get("strategy", {})]
    values = grade["strategy"]["matrix"]["shard"]
    assert values == list(range(1, len(values) + 1)) and len(values) == 4
    [check] = [command for step in grade["steps"] for command in commands_in(step.get("run", ""))]
    for k in values:
        shard = shards.parse(parse(actions_values(check, k)).shard)
        assert (shard.index, shard.count) == (k, len(values)), check
    seed = option_word(check, "--seed")
    variable = VARIABLE.fullmatch(seed)
    origin = workflow.get("env", {}) | grade.get("env", {})
    assert "matrix" not in seed and (variable is None or "matrix" not in origin[variable.group(1) or variable.group(2)])

    [merge] = [job for job in jobs.values()
               if any(parse(c).command == "merge" for s in job["steps"] for c in commands_in(s.get("run", "")))]
    needs = merge["needs"] if isinstance(merge["needs"], list) else [merge["needs"]]
    assert grade_id in needs
    upload = next(s for s in grade["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    download = next(s for s in merge["steps"] if str(s.get("uses", "")).startswith("actions/download-artifact@"))
    [joined] = [parse(c) for s in merge["steps"] for c in commands_in(s.get("run", "")) if parse(c).command == "merge"]
    for k in values:
        name = actions_values(upload["with"]["name"], k)
        assert PurePosixPath(actions_values(upload["with"]["path"], k)) == PurePosixPath(parse(actions_values(check, k)).out)
        assert fnmatch.fnmatchcase(name, download["with"]["pattern"])
        # several artifacts download into one folder each, named after the artifact
        assert any(covers(str(pattern), f"{download['with']['path']}/{name}") for pattern in joined.shards)
    assert not any(covers(str(pattern), joined.out) for pattern in joined.shards)


def merge_reaches_every_shard(merge: argparse.Namespace, outs: list[Path]) -> None:
    for out in outs:
        assert any(covers(str(pattern), out) for pattern in merge.shards), (out, merge.shards)
    assert not any(covers(str(pattern), merge.out) for pattern in merge.shards), "the merge would read its own output"


def test_slurm_array_tasks_are_the_shards_and_the_merge_reads_each() -> None:
    script = text(SLURM)
    first_command = next(i for i, line in enumerate(script.splitlines()) if line.strip() and not line.startswith("#"))
    directives = [i for i, line in enumerate(script.splitlines()) if line.startswith("#SBATCH")]
    assert directives and max(directives) < first_command  # sbatch reads no directive after a command
    first, last = map(int, re.search(r"^#SBATCH --array=(\d+)-(\d+)$", script, re.MULTILINE).groups())
    count = last - first + 1
    made = [shards.from_environment({"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_COUNT": str(count),
                                     "SLURM_ARRAY_TASK_MIN": str(first), "SLURM_ARRAY_TASK_STEP": "1"})
            for task in range(first, last + 1)]
    assert [(shard.index, shard.count) for shard in made if shard] == [(k, count) for k in range(1, count + 1)]

    commands = [parse(command) for command in commands_in(script)]
    [check] = [c for c in commands_in(script) if parse(c).command == "check"]
    [merge] = [args for args in commands if args.command == "merge"]
    assert parse(check).shard is None and parse(check).seed is not None  # the shard comes from Slurm
    defaults = shell_defaults(script)
    outs = [parse(check, {**defaults, "SLURM_ARRAY_TASK_ID": str(task)}).out for task in range(first, last + 1)]
    assert len(set(outs)) == count
    merge_reaches_every_shard(merge, outs)


def test_k8s_manifest_is_an_indexed_job_whose_pods_are_the_shards() -> None:
    docs = documents(K8S)
    assert all(doc["apiVersion"] == "batch/v1" and doc["kind"] == "Job" for doc in docs)
    [job] = [doc for doc in docs if doc["spec"].get("completionMode") == "Indexed"]
    [after] = [doc for doc in docs if doc is not job]
    assert (job["metadata"]["labels"]["step"], after["metadata"]["labels"]["step"]) == ("grade", "merge")
    spec = job["spec"]
    assert spec["completions"] == spec["parallelism"] == 4
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] in ("Never", "OnFailure")
    [container] = pod["containers"]
    env = {variable["name"]: variable["value"] for variable in container["env"]}
    assert env["GRADER_SHARD_COUNT"] == str(spec["completions"])
    int(env["GRADER_SEED"])
    made = [shards.from_environment({"JOB_COMPLETION_INDEX": str(index), "GRADER_SHARD_COUNT": env["GRADER_SHARD_COUNT"]})
            for index in range(spec["completions"])]
    assert [(shard.index, shard.count) for shard in made if shard] == \
        [(k, spec["completions"]) for k in range(1, spec["completions"] + 1)]

    [check] = commands_in(container["command"][2])
    assert parse(check).command == "check" and parse(check).shard is None  # the shard comes from the index
    assert option_word(check, "--seed") == "$GRADER_SEED"
    outs = [parse(check, {"JOB_COMPLETION_INDEX": str(index)}).out for index in range(spec["completions"])]
    assert len(set(outs)) == spec["completions"]
    [merger] = after["spec"]["template"]["spec"]["containers"]
    [merge] = [parse(command) for command in commands_in(merger["command"][2])]
    assert merge.command == "merge"
    merge_reaches_every_shard(merge, outs)
    # both Jobs mount the same claim at the same place: the merge sees the shards' folders
    for doc, mounted in ((job, container), (after, merger)):
        [volume] = doc["spec"]["template"]["spec"]["volumes"]
        [mount] = mounted["volumeMounts"]
        assert (volume["persistentVolumeClaim"]["claimName"], mount["mountPath"]) == ("grading", "/data")


# -- GitLab: the command itself, run ---------------------------------------------------------------


def test_gitlab_job_publishes_the_junit_xml_its_command_writes(tmp_path: Path) -> None:
    job = yaml.safe_load(text(GITLAB))["grade"]
    [command] = [c for line in job["script"] for c in commands_in(line)]
    words = split(command)
    args = parse(command)
    assert PurePosixPath(job["artifacts"]["reports"]["junit"]) == PurePosixPath(args.out / "junit.xml")
    assert job["artifacts"]["when"] == "always"
    assert any(covers(path.rstrip("/"), args.out) for path in job["artifacts"]["paths"])

    out = tmp_path / "out"
    argv = []
    for before, word in zip(["", *words], words, strict=False):
        if before == "--out":
            argv.append(str(out))
        elif not word.startswith("-") and Path(word) in args.paths:
            argv.append(str(EXAMPLES / "jhu-hw3"))
        else:
            argv.append(word)
    assert argv[:2] == ["grader", "check"] and str(out) in argv
    done = run_grader(*argv[1:], "--jobs", "2", env={"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "",
                                                     "GITHUB_OUTPUT": "", "SLURM_ARRAY_TASK_ID": "",
                                                     "JOB_COMPLETION_INDEX": ""})
    assert done.returncode == 0, done.stderr
    suites = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    students = {entry.stem for entry in (EXAMPLES / "jhu-hw3").iterdir() if entry.suffix in (".py", ".ipynb")}
    assert {suite.get("name") for suite in suites} == students


# -- the README ----------------------------------------------------------------------------------


def test_readme_snippets_are_what_the_grader_accepts() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## For CI\n"):readme.index("\n## For students\n")]
    blocks = re.findall(r"^ *```(\w+)\n(.*?)^ *```$", section, re.MULTILINE | re.DOTALL)
    commands = []
    for language, block in blocks:
        if language == "yaml":
            commands += [c for string in strings(yaml.safe_load(textwrap.dedent(block))) for c in commands_in(string)]
        else:
            commands += commands_in(block)
    parsed = [parse(command) for command in commands]
    assert sum(args.command == "check" for args in parsed) >= 4 and sum(args.command == "merge" for args in parsed) >= 3
    for link in re.findall(r"\]\((examples/ci/[^)]*)\)", section):
        assert (ROOT / link).exists(), link
