"""The fork floor: the least a grader with one process per submission can cost on this machine.

    python benchmarks/_floor.py CLASS_FOLDER --jobs 2 [--torch]

A warm process imports what the grader's sandbox worker imports (``PRELOAD``, torch with
``--torch``), backs its heap with huge pages as the worker does, then forks one child per
submission. The child compiles and runs the submission's code cells as ``grader.load`` reads
them (a notebook's cells without magics; a folder's theory module), then ``mlp.py`` if there
is one, and exits. ``--jobs`` such processes share
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

from grader.load import load
from grader.sandbox import hugepages
from grader.sandbox.worker import PRELOAD

CHILD_SECONDS = 10  # a submission that runs longer is killed (the synthetic ones never do)


def sources(path: Path) -> list[tuple[str, str]]:
    """The (file name, code) pieces a child compiles and runs, in order."""
    sub = load(path.stem, path, str(path))
    pieces = [(cell.filename, cell.source) for cell in sub.cells if cell.kind == "code"]
    if sub.entry != "mlp.py" and "mlp.py" in sub.files:
        pieces.append(("mlp.py", sub.files["mlp.py"].decode("utf-8", errors="replace")))
    return pieces


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


def serve(paths: list[Path]) -> None:
    """Fork, run and reap one child per submission, one at a time."""
    for path in paths:
        pieces = sources(path)
        pid = os.fork()
        if pid == 0:
            os.chdir(path if path.is_dir() else path.parent)
            run_child(pieces)
        os.waitpid(pid, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
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
            serve(paths[share::args.jobs])
            os._exit(0)
        servers.append(pid)
    for pid in servers:
        os.waitpid(pid, 0)
    wall = time.perf_counter() - start
    print(json.dumps({"n": len(paths), "wall_s": round(wall, 3), "per_s": round(len(paths) / wall, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
