"""Errors the grader raises, and whose fault each one is.

    GraderError                  base of everything below
    ├── UsageError               the command line or its inputs are wrong (exit 2)
    │   ├── RubricError          a rubric file is malformed: names the file and key path
    │   ├── SolutionsError       the reference solver is missing or broken
    │   ├── SubmissionPathError  a PATH given on the command line does not exist
    │   └── OutputInUse          another grader process is writing the same output folder
    ├── EnvironmentProblem       the machine lacks something (torch, bubblewrap)
    └── SandboxError             the isolation layer failed: a bug or a broken host, never a score

Problems *inside* a submission are not exceptions: they are outcomes
(``Outcome.ERROR``, ``Outcome.TIMEOUT``...) recorded in the report, because a
broken submission must never stop the run.
"""

from __future__ import annotations


class GraderError(Exception):
    """Base class of every error raised by the grader itself."""


class UsageError(GraderError):
    """The command line or one of its inputs cannot be used."""


class RubricError(UsageError):
    """A rubric file is malformed."""

    def __init__(self, path: object, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.path}: invalid rubric\n{lines}")


class SolutionsError(UsageError):
    """The reference solver cannot be found or loaded."""


class SubmissionPathError(UsageError):
    """A submission path does not exist or cannot be read."""


class OutputInUse(UsageError):
    """Another grader process holds the output folder (see ``grader.store.output_lock``)."""


class EnvironmentProblem(GraderError):
    """Something the grader needs is not installed here."""


class SandboxError(GraderError):
    """The sandbox could not run a job: a host problem or a grader bug."""
