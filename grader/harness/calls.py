"""Calling a target on one probe: the same code runs the reference and the student.

The result is a plain record: the encoded output or the exception, and whether torch
autograd ran during the call. Inputs of a ``pure`` function are read-only arrays, so a
function that writes into one raises at once, whatever the child reports afterwards. The
record also names inputs whose shape or contents changed anyway (``G.shape = ...`` is
allowed on a read-only view): a claim that can only cost the submission.
"""

from __future__ import annotations

import linecache
import sys
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from grader.harness.callables import CALLABLES
from grader.harness.codec import encode, to_python
from grader.profile import HARNESSES

__all__ = ["fresh", "note_autograd"]  # what a profile's harness may use; the engine uses more

HARNESS_FILES = ("grader/harness", "grader\\harness")


# Set by the spies on torch's autograd entry points; ``call`` clears it before each call and
# reads it after. The spies go in once per process (``watch_autograd``), before student code.
_AUTOGRAD_RAN = [False]
_WATCHED: list[ModuleType] = []  # the torch module that carries the spies


class StepTimeout(BaseException):
    """Raised by the child's soft timer; never caught as a student error."""


def arguments(probe: dict[str, Any]) -> dict[str, Any]:
    """The probe's arguments as Python objects (decoded once, then copied for every call)."""
    return {name: to_python(enc, CALLABLES) for name, enc in probe["kwargs"]}


def fresh(value: Any, *, frozen: bool = False) -> Any:
    """A copy of a probe argument that a call may change without touching the original.

    ``frozen`` arrays are read-only views of immutable bytes: a function that must not change
    its inputs cannot, whatever it patches, and one that tries raises at once.
    """
    if isinstance(value, np.ndarray):
        if frozen:
            return np.frombuffer(value.tobytes(), dtype=value.dtype).reshape(value.shape)
        return value.copy()
    if hasattr(value, "clone") and type(value).__module__.startswith("torch"):
        return value.clone()
    if isinstance(value, dict):
        return {key: fresh(item, frozen=frozen) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(fresh(item, frozen=frozen) for item in value)
    return value


def call(target: Any, probe: dict[str, Any], harness: str, scenario: str | None,
         *, pure: bool = False, prebuilt: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one probe against ``target`` and return a plain result record.

    With ``pure``, the record also names the inputs the call changed. ``prebuilt`` holds the
    arguments already decoded (a warm worker decodes them once for all its children).
    """
    source = prebuilt if prebuilt is not None else arguments(probe)
    kwargs = {name: fresh(value, frozen=pure) for name, value in source.items()}
    pristine = source  # never handed to the target: what its read-only copies must still equal
    watch_autograd()
    _AUTOGRAD_RAN[0] = False
    try:
        if harness == "call":
            output = target(*kwargs.values())
        else:
            output = HARNESSES[harness](target, kwargs, scenario)  # an assignment profile's
        note_autograd(output)
    except StepTimeout:
        raise
    except BaseException as exc:
        return {"status": "raised", "message": describe_exception(exc), "autograd": _AUTOGRAD_RAN[0],
                **locate(exc)}
    mutated = _mutated(kwargs, pristine) if pure else []
    return {"status": "ok", "value": encode(output), "mutated": mutated, "autograd": _AUTOGRAD_RAN[0]}


def describe_exception(exc: BaseException) -> str:
    """``ValueError: msg (cell 3, line 7)``: the exception and where in student code it arose."""
    where = ""
    # Only the innermost frame of student code is looked up: reading the source of every
    # numpy frame too would cost each child milliseconds.
    frames = [(f.f_code.co_filename, line) for f, line in traceback.walk_tb(exc.__traceback__)
              if not _is_harness(f.f_code.co_filename)]
    if frames:
        filename, lineno = frames[-1]
        line = linecache.getline(filename, lineno).strip() if lineno else ""
        where = f" ({_place(filename)}, line {lineno}" + (f": {line[:120]}" if line else "") + ")"
    text = str(exc)[:300] if not isinstance(exc, RecursionError) else "maximum recursion depth exceeded"
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def locate(exc: BaseException) -> dict[str, Any]:
    """``{"place": "cell 3", "line": 7}``: where in student code ``exc`` arose (a syntax error:
    the line the parser stopped at), or nothing when no student frame is known."""
    if isinstance(exc, SyntaxError) and exc.filename and not _is_harness(exc.filename):
        filename, lineno = exc.filename, exc.lineno
    else:
        frames = [(f.f_code.co_filename, line) for f, line in traceback.walk_tb(exc.__traceback__)
                  if not _is_harness(f.f_code.co_filename)]
        if not frames:
            return {}
        filename, lineno = frames[-1]
    return {"place": _place(filename), "line": lineno} if lineno else {}


def _place(filename: str) -> str:
    return filename.strip("<>") if filename.startswith("<cell") else filename.rsplit("/", 1)[-1]


def _is_harness(filename: str) -> bool:
    return any(part in filename for part in HARNESS_FILES) or "/numpy/" in filename or "/torch/" in filename


def _mutated(after: dict[str, Any], before: dict[str, Any]) -> list[str]:
    return [name for name in after if not _same(after[name], before[name])]


def _same(a: Any, b: Any) -> bool:
    """Whether ``a`` still holds exactly what ``b`` does: bit for bit, so nan and -0.0 count too."""
    if isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
                and a.tobytes() == b.tobytes())
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in b)
    return True


def _in_a_graph(value: Any, depth: int = 0) -> bool:
    """Whether a returned tensor carries autograd's traces: it requires grad, or has a grad_fn."""
    if depth > 3:
        return False
    if type(value).__module__.startswith("torch") and hasattr(value, "grad_fn"):
        try:
            return bool(value.requires_grad) or value.grad_fn is not None
        except Exception:  # a student's own object that only looks like a tensor
            return False
    if isinstance(value, dict):
        return any(_in_a_graph(item, depth + 1) for item in dict.values(value))
    if isinstance(value, list | tuple):
        return any(_in_a_graph(item, depth + 1) for item in value)
    return False


def note_autograd(value: Any) -> None:
    """Count a call as using autograd when ``value`` is still in autograd's graph (a harness
    may show more than the output: the parameters of a network, say)."""
    _AUTOGRAD_RAN[0] |= _in_a_graph(value)


def watch_autograd() -> None:
    """Spy on torch's autograd entry points, once per process, if torch is imported.

    Installed before student code runs, they are also what ``from torch.autograd import grad``
    binds. Every backward pass and ``grad`` call goes through the engine's ``run_backward``,
    so the engine itself is watched too. The spies keep no ``__wrapped__`` that would hand
    the originals back. (Patching around every call instead changed ``torch.Tensor`` twice a
    call, which invalidates Python's method cache and costs a forked child page faults.)
    """
    torch = sys.modules.get("torch")
    if torch is None or any(watched is torch for watched in _WATCHED):
        return
    import torch.autograd.graph
    from torch.autograd.variable import Variable

    for owner, attr in ((torch.Tensor, "backward"), (torch.autograd, "backward"), (torch.autograd, "grad"),
                        (torch.autograd, "_engine_run_backward"), (torch.autograd.graph, "_engine_run_backward")):
        if hasattr(owner, attr):
            setattr(owner, attr, _spy(getattr(owner, attr)))
    Variable._execution_engine = _WatchedEngine(Variable._execution_engine)  # type: ignore[assignment]
    _WATCHED.append(torch)


def _spy(original: Callable[..., Any]) -> Callable[..., Any]:
    def spied(*args: Any, **kwargs: Any) -> Any:
        _AUTOGRAD_RAN[0] = True
        return original(*args, **kwargs)

    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):  # help() reads as torch's
        setattr(spied, attr, getattr(original, attr, None))
    return spied


class _WatchedEngine:
    """Stands for autograd's engine: its ``run_backward`` is spied, the rest is the engine's."""

    __slots__ = ("is_checkpoint_valid", "queue_callback", "run_backward")

    def __init__(self, engine: Any) -> None:
        self.run_backward = _spy(engine.run_backward)
        self.queue_callback = engine.queue_callback
        self.is_checkpoint_valid = engine.is_checkpoint_valid
