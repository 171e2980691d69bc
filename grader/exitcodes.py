"""Process exit codes. A low score is never a process failure, unless ``--fail-under`` asks for one."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What ``grader`` returns to the shell or CI."""

    OK = 0  #: every submission got a report (check), or every self-test check passed
    PROBLEMS_FOUND = 1  #: selftest only: the submission has problems to fix
    USAGE_ERROR = 2  #: bad arguments, a missing path, a malformed rubric, no solutions, a busy --out
    INTERNAL_ERROR = 3  #: a bug in the grader or a broken sandbox; results so far are kept
    ENVIRONMENT_ERROR = 4  #: something required is not installed (e.g. --sandbox bwrap)
    BELOW_THRESHOLD = 5  #: check --fail-under only: a submission's automatic points are below it
    INTERRUPTED = 130  #: stopped by Ctrl-C; run the same command again to resume
