"""``grader selftest PATH``: run one submission in the sandbox and print what to fix.

Started from the command line, most of the time is Python starting up: the sandbox
worker (importing numpy, maybe torch) and this process (pydantic, the rubric models).
So the worker is started first, from this light module, and ``grader.checklist`` is
imported only then, while the worker boots on the other core.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TextIO

from grader.assignments import instructor_paths, torch_available, uses_torch
from grader.errors import UsageError
from grader.exitcodes import ExitCode
from grader.load import load
from grader.sandbox.bwrap import detect_mode
from grader.sandbox.pool import Pool


def selftest_path(path: Path, *, question: str | None = None, assignment: str | None = None,
                  out: TextIO | None = None) -> int:
    """Self-test the file or folder at ``path`` and print a checklist; the exit code."""
    out = out or sys.stdout  # looked up now: a caller may have redirected it
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    sub = load(path.stem if path.is_file() else path.name, path, str(path), newer_of_a_pair=True)
    name = assignment or sub.assignment
    if not name:
        raise UsageError(sub.error or f'{path}: no ASSIGNMENT line; add ASSIGNMENT = "<id>" (see `grader list`)')
    with tempfile.TemporaryDirectory(prefix="grader-selftest-") as scratch:
        pool = Pool(1, detect_mode("auto"), Path(scratch), torch=torch_available() and uses_torch(name),
                    hidden=instructor_paths()) if not sub.error else None
        try:
            from grader import checklist  # the heavy imports, overlapping the worker's start

            if pool is None:
                checklist.check_question(checklist.load_rubric(name), question)
                print(f"[fix] {sub.error}\n{checklist.DISCLAIMER}", file=out)
                return ExitCode.PROBLEMS_FOUND
            return checklist.run(sub, name, pool, question, out)
        finally:
            if pool is not None:
                pool.close()
