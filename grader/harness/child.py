"""The child: runs one submission's steps and reports each result as a frame.

Everything it writes is a claim. The parent checks every frame and computes
every score itself, so a submission that tampers with this module only
changes what it claims about its own answers.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib.util
import io
import json
import linecache
import os
import signal
import stat
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from grader.harness.calls import StepTimeout, arguments, call, describe_exception, locate
from grader.harness.codec import encode
from grader.limits import BATCH_SECONDS
from grader.protocol import HARNESS_CRASHED, Frame, encode_frame


class FrameWriter:
    """Writes the run's frames (``grader.protocol``), each tagged with the run's nonce."""

    def __init__(self, fd: int, nonce: str) -> None:
        self.fd = fd
        self.nonce = nonce

    def send(self, k: Frame, **fields: Any) -> None:
        view = memoryview(encode_frame(self.nonce, k, **fields))
        while view:
            view = view[os.write(self.fd, view):]


class Discard(io.TextIOBase):
    """A stdout that accepts and drops everything: output never reaches the parent."""

    def write(self, text: str) -> int:
        return len(text)

    def writable(self) -> bool:
        return True


class Namespaces:
    """The student's theory namespace and, once imported, their implementation module."""

    def __init__(self, job: dict[str, Any], workdir: str) -> None:
        self.workdir = workdir
        self.theory: dict[str, Any] = {
            "__name__": job.get("module_name", "submission"),
            "__file__": os.path.join(workdir, job.get("entry", "submission.py")),
            "__builtins__": builtins,
            "get_ipython": _NoIPython,
            "display": lambda *a, **k: None,
        }
        self.implementation: dict[str, Any] | None = None
        self.timed_out: set[str] = set()

    @classmethod
    def live(cls, namespace: dict[str, Any], implementation: tuple[str, list[str]] | None = None) -> Namespaces:
        """A notebook's own namespace, for ``grader.check()``. ``implementation`` is the rubric's
        implementation module and the names it defines: the notebook may define them itself, or
        have imported the module."""
        spaces = cls.__new__(cls)
        spaces.workdir = os.getcwd()
        spaces.theory = namespace
        spaces.implementation = None
        if implementation is not None:
            module, names = implementation
            imported = sys.modules.get(module)
            if imported is not None and not any(name in namespace for name in names):
                spaces.implementation = vars(imported)
        spaces.timed_out = set()
        return spaces

    def lookup(self, source: str) -> dict[str, Any]:
        if source == "implementation" and self.implementation is not None:
            return self.implementation
        return self.theory


class _NoIPython:
    """Stands in for ``get_ipython()`` in notebooks run outside Jupyter."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def run(fd_in: int, fd_out: int, workdir: str, shared: dict[str, list[dict[str, Any]]]) -> NoReturn:
    """Read the job, run the listed steps, report their results, then exit.

    A ``ready`` frame marks the moment student code may start: a run that dies before it
    failed in the harness, never in the submission.
    """
    job = json.loads(_read_all(fd_in))
    os.close(fd_in)
    writer = FrameWriter(fd_out, job["nonce"])
    try:
        _prepare(job, workdir)
        spaces = Namespaces(job, workdir)
        signal.signal(signal.SIGALRM, on_alarm)
        writer.send(Frame.READY)
        loaded = [i for i in job["run"] if i < len(job["load"])]
        run_steps(job["load"] + shared.get(job["shared"], []), job["run"], spaces, writer,
                  batch=job.get("batch", BATCH_SECONDS), flush=set(loaded[-1:]))
        writer.send(Frame.END)
    except BaseException as exc:
        with contextlib.suppress(BaseException):
            writer.send(Frame.CRASH, error=f"{type(exc).__name__}: {str(exc)[:300]}")
        os._exit(HARNESS_CRASHED)
    os._exit(0)


def prebuild(shared: dict[str, Any]) -> list[dict[str, Any]]:
    """Install the assignment's profile, and decode every call step's arguments once, before
    children are forked from this process."""
    from grader.profile import install

    install(shared["assignment"], shared["profile"])
    for step in shared["steps"]:
        if step.get("op") == "call":
            step["prebuilt"] = arguments(step["probe"])
    return list(shared["steps"])


def run_steps(steps: list[dict[str, Any]], order: list[int], spaces: Namespaces, writer: FrameWriter,
              batch: float = 0.0, flush: set[int] | frozenset[int] = frozenset()) -> None:
    """Run ``order``'s steps and report their results in "done" frames.

    A frame goes out once ``batch`` seconds have passed since the last one, so a step that
    ran long is always the last of its frame; with ``batch`` 0 every step has a frame of its own.
    A frame also goes out after each step in ``flush`` (the last cell of the submission's code).
    Each frame names the step that runs next: the parent may kill the run once that step's
    limit has passed (it never blames a step on that word; see ``grader.execute``).
    """
    pending: list[list[Any]] = []
    sent = time.monotonic()
    for position, index in enumerate(order):
        pending.append([index, timed(steps[index], spaces)])
        following = order[position + 1] if position + 1 < len(order) else None
        if following is None or index in flush or time.monotonic() - sent >= batch:
            writer.send(Frame.DONE, results=pending, next=following)
            pending = []
            sent = time.monotonic()


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _prepare(job: dict[str, Any], workdir: str) -> None:
    """Write the submission's files into the fresh work folder and make it the current one."""
    if not stat.S_ISDIR(os.lstat(workdir).st_mode):
        raise RuntimeError("the work folder is not a fresh folder")
    os.chdir(workdir)
    for relative, text in job["files"].items():
        folder = os.path.dirname(relative)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(relative, "wb") as handle:
            handle.write(text.encode("latin-1"))
    sys.path.insert(0, workdir)
    sys.argv = [job.get("entry", "submission.py")]
    sys.stdout = sys.stderr = Discard()
    sys.stdin = io.StringIO("")


_ALARMS = [0]  # how many times a step's limit has passed in this child


def on_alarm(signum: int, frame: Any) -> None:
    _ALARMS[0] += 1
    raise StepTimeout()


def timed(step: dict[str, Any], spaces: Namespaces) -> dict[str, Any]:
    """Run one step under its limit. A step whose limit passed is a timeout even when its code
    caught the StepTimeout and went on (the parent's clock is the backstop for a child whose
    count was tampered with: see ``grader.execute``)."""
    if step.get("item") in spaces.timed_out:
        return {"status": "skipped"}  # one hanging probe costs its item, not the whole time limit
    alarms, result = _ALARMS[0], None
    signal.setitimer(signal.ITIMER_REAL, float(step["limit"]))
    try:
        result = _run_step(step, spaces)
    except StepTimeout:
        pass
    except BaseException as exc:
        result = {"status": "raised", "message": describe_exception(exc), **locate(exc)}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if result is not None and _ALARMS[0] == alarms:
        return result
    if step.get("item"):
        spaces.timed_out.add(step["item"])
    return {"status": "timeout", "message": f"did not finish within {step['limit']:g} s"}


def _run_step(step: dict[str, Any], spaces: Namespaces) -> dict[str, Any]:
    op = step["op"]
    if op == "cell":
        return _exec_cell(step, spaces)
    if op == "writefile":
        return _write_file(step, spaces.workdir)
    if op == "import":
        return _import_implementation(step, spaces)
    if op == "selfcheck":
        return _selfcheck(step, spaces)
    namespace = spaces.lookup(step.get("source", "theory"))
    if step["name"] not in namespace:
        return {"status": "missing"}
    target = namespace[step["name"]]
    if op == "value":
        return {"status": "ok", "value": encode(target)}
    return call(target, step["probe"], step["harness"], step.get("scenario"), pure=step.get("pure", False),
                prebuilt=step.get("prebuilt"))


def _exec_cell(step: dict[str, Any], spaces: Namespaces) -> dict[str, Any]:
    filename = step["filename"]
    source = step["source"]
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec", dont_inherit=True)
    exec(code, spaces.theory)
    return {"status": "ok"}


def _write_file(step: dict[str, Any], workdir: str) -> dict[str, Any]:
    target = (Path(workdir) / step["path"]).resolve()
    if Path(workdir).resolve() not in target.parents:
        return {"status": "raised", "message": f"%%writefile {step['path']}: outside the submission folder"}
    with open(target, "a" if step.get("append") else "w", encoding="utf-8") as handle:
        handle.write(step["source"])
    return {"status": "ok"}


def _import_implementation(step: dict[str, Any], spaces: Namespaces) -> dict[str, Any]:
    path = Path(spaces.workdir, f"{step['module']}.py")
    if step["module"] in sys.modules:
        spaces.implementation = vars(sys.modules[step["module"]])
        return {"status": "ok"}
    if not path.is_file():
        return {"status": "ok", "absent": True}
    spec = importlib.util.spec_from_file_location(step["module"], path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[step["module"]] = module
    spaces.implementation = vars(module)
    spec.loader.exec_module(module)
    return {"status": "ok"}


def _selfcheck(step: dict[str, Any], spaces: Namespaces) -> dict[str, Any]:
    from grader.profile import checks

    check = checks(step["assignment"])[step["index"]]
    implementation = spaces.implementation if spaces.implementation is not None else spaces.theory
    extra = {"tolerance": tuple(step["tolerance"])} if check.compares else {}
    try:
        passed, message = check.run(spaces.theory, implementation, **extra)
    except NotImplementedError:  # a function it needs is not written yet: nothing to fix
        passed, message = None, f"{check.name}: waiting for a function that is not written yet"
    except Exception as exc:
        passed, message = False, f"the check '{check.name}' could not run: {describe_exception(exc)}"
    return {"status": "ok", "value": encode(passed), "message": str(message)[:500]}
