"""Every limit a submission is held to, in one place, and how the limits combine.

Time:

- ``--timeout`` (``DEFAULT_TIMEOUT``) bounds a whole submission, every run of it included.
- Each step has its own limit: a notebook cell or module import ``rubric.cell_timeout``,
  a call of a student function ``item.call_timeout``, reading a value ``VALUE_SECONDS``.
  The child's own timer stops a step at its limit and reports a timeout.
- The parent does not rely on that timer. It kills a run at ``last frame + the longest
  limit of the steps still to run + BATCH_SECONDS + HARD_GRACE`` (plus ``STARTUP_GRACE``
  before the first frame), and never later than the submission's own time limit.
- A result that reaches the parent later than its step's limit allows is a timeout,
  whatever the child says (``OVERRUN_TOLERANCE``).

Memory and files, per run:

- ``RLIMIT_DATA`` is what the submission may allocate, counted above what the warm worker
  already holds (``--memory``, ``DEFAULT_MEMORY_MB``, at least ``MIN_MEMORY_MB``). It counts
  heap and anonymous memory, not the libraries a submission maps: importing torch costs it
  about 140 MB, where the same import maps well over 1 GB of address space.
- ``RLIMIT_AS`` backs it up at the memory limit plus ``MAPPING_ALLOWANCE``, so that shared
  anonymous mappings, which ``RLIMIT_DATA`` does not count, stay bounded too.
- Files: ``FILE_BYTES`` per file; the run's private ``/tmp`` holds ``TMP_BYTES`` in all
  (RAM that no rlimit counts, hence its own size).
- CPU: the submission's time limit plus ``CPU_SLACK`` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 1024
MIN_MEMORY_MB = 128  # below this the harness itself cannot decode a job and run numpy
VALUE_SECONDS = 5.0
BATCH_SECONDS = 0.05  # a child sends its results at most this long after the step that made them
STARTUP_GRACE = 10.0
HARD_GRACE = 1.0
OVERRUN_TOLERANCE = 0.25
KILL_GRACE = 3.0  # a run not gone this long after its kill means a broken sandbox
EOF_GRACE = 2.0  # how long a run's pipe may stay open after its process ended (an orphan holds it)
WORKER_START_SECONDS = 120.0
FILE_BYTES = 64 << 20
TMP_BYTES = 256 << 20
MAPPING_ALLOWANCE = 4 << 30
CPU_SLACK = 5


@dataclass(frozen=True)
class RunLimits:
    """The resource limits of one run, as the worker applies them."""

    memory: int
    file_size: int = FILE_BYTES
    cpu_seconds: int = int(DEFAULT_TIMEOUT) + CPU_SLACK
    tmp_bytes: int = TMP_BYTES

    @classmethod
    def of(cls, memory_mb: int, timeout: float) -> RunLimits:
        return cls(memory=memory_mb << 20, cpu_seconds=int(timeout) + CPU_SLACK)

    def wire(self) -> dict[str, Any]:
        return {"memory": self.memory, "file_size": self.file_size, "cpu": self.cpu_seconds,
                "tmp": self.tmp_bytes}
