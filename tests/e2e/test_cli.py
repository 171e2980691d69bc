"""The console entry point itself: exit codes when the output goes away."""

from __future__ import annotations

import subprocess
import sys


def test_a_reader_that_leaves_early_ends_the_command_quietly_with_141() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "grader", "list"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the command has started, let alone printed
    error = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert b"Traceback" not in error
