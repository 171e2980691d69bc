"""The fork floor: the least a grader with one process per submission can cost on this machine.

    python benchmarks/_floor.py CLASS_FOLDER --format py --jobs 2 [--torch]

A warm process imports what the grader's sandbox worker imports (``PRELOAD``, torch with
``--torch``), backs its heap with huge pages as the worker does, then forks one child per
submission. The child compiles and runs the submission's code (a notebook's code cells without
magics; a folder's theory module, then ``mlp.py``) and exits. ``--jobs`` such processes share
the class. There is no sandbox, no probe call, no comparison and no report, so a real grader
can only be slower: `bench.py` prints the grader's rate as a fraction of this one. Prints one
JSON line: ``{"n": ..., "wall_s": ..., "per_s": ...}``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import signal
import sys
import time
from pathlib import Path

from grader.sandbox import hugepages
from grader.sandbox.worker import PRELOAD

CHILD_SECONDS = 10  # a submission that runs longer is killed (the synthetic ones never do)


def sources(path: Path, fmt: str) -> list[tuple[str, str]]:
    """The (file name, code) pieces a child compiles and runs, in order."""
    if fmt == "py":
        return [(path.name, path.read_text(encoding="utf-8", errors="replace"))]
    if fmt == "ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        lines = [line for cell in cells if cell["cell_type"] == "code"
                 for line in "".join(cell["source"]).splitlines() if not line.startswith(("%", "!"))]
        return [(path.name, "\n".join(lines))]
    theory = next(p for p in sorted(path.glob("*.py")) if p.name != "mlp.py")
    return [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in (theory, path / "mlp.py")]


def run_child(pieces: list[tuple[str, str]]) -> None:
    """In the forked child: compile and run each piece in one namespace, then exit at once."""
    signal.alarm(CHILD_SECONDS)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    namespace: dict = {"__name__": "submission"}
    try:
        for name, code in pieces:
            exec(compile(code, name, "exec"), namespace)
    except BaseException:
        pass
    os._exit(0)


def serve(paths: list[Path], fmt: str) -> None:
    """Fork, run and reap one child per submission, one at a time."""
    for path in paths:
        pieces = sources(path, fmt)
        pid = os.fork()
        if pid == 0:
            os.chdir(path if path.is_dir() else path.parent)
            run_child(pieces)
        os.waitpid(pid, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--format", choices=("py", "ipynb", "folder"), required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--torch", action="store_true")
    args = parser.parse_args(argv)
    for name in PRELOAD + (("torch",) if args.torch else ()):
        importlib.import_module(name)
    if args.torch:
        sys.modules["torch"].set_num_threads(1)  # as the worker does, before any fork
    hugepages.collapse()
    gc.freeze()
    paths = sorted(args.folder.iterdir())
    start = time.perf_counter()
    servers = []
    for share in range(args.jobs):
        pid = os.fork()
        if pid == 0:
            serve(paths[share::args.jobs], args.format)
            os._exit(0)
        servers.append(pid)
    for pid in servers:
        os.waitpid(pid, 0)
    wall = time.perf_counter() - start
    print(json.dumps({"n": len(paths), "wall_s": round(wall, 3), "per_s": round(len(paths) / wall, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
