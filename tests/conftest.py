"""Shared fixtures: paths of the project and a runner for the ``grader`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
TEMPLATES = ROOT / "student_template"
EXAMPLES = ROOT / "examples" / "submissions"


def run_grader(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m grader ARGS`` and capture its output."""
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, check=False)


@pytest.fixture
def grader_cmd():
    return run_grader
