"""What the parent, the sandbox worker and the child say to each other, defined once.

    parent ──control (socket, JSON)──▶ worker ──fork──▶ child
      ▲                                                   │
      └──────────── frames (pipe, length-prefixed JSON) ──┘

Control messages travel between the parent and a worker: small JSON objects with a kind
(``Control``). Frames travel from a child straight to the parent: a 4-byte length, then a
JSON object with the run's nonce and a kind (``Frame``). Student code shares the child's
process, so every frame is an untrusted claim about the student's own values: the parent
bounds each frame before it parses it (``FrameReader``) and validates every result it keeps
(``parse_result``). Nothing crosses a process boundary by pickle.
"""

from __future__ import annotations

import enum
import json
import struct
from dataclasses import dataclass
from typing import Any

FRAME_HEADER = struct.Struct(">I")
MAX_CONTROL = 1 << 16  # one control message
MAX_FRAME = 4 << 20  # one frame
MAX_RUN_BYTES = 32 << 20  # all the frames of one run
MAX_KEPT_BYTES = 16 << 20  # the values the parent keeps for one submission, all its runs together
# JSON structure a frame may hold, counted on its bytes before parsing: a frame of nested
# empty lists costs the parser 56 bytes of memory per 3 bytes of input.
MAX_FRAME_CONTAINERS = 20_000
MAX_FRAME_SEPARATORS = 200_000
MAX_MESSAGE = 500  # characters of a reported exception message that are kept
MAX_PLACE = 100  # characters of a reported place ("cell 3", "hw3.py")
MAX_LINE = 10_000_000
HARNESS_CRASHED = 70  # the exit code of a child whose harness (not the student's code) failed


class Control(enum.StrEnum):
    """Kinds of control message between the parent and a worker."""

    READY = "ready"  # worker -> parent: imports done, ready for runs
    SHARED = "shared"  # parent -> worker: the item steps every run of an assignment shares (memfd)
    RUN = "run"  # parent -> worker: start a run (memfd with the job, pipe for its frames)
    START = "start"  # worker -> parent: that run starts now (its clocks start)
    KILL = "kill"  # parent -> worker: kill that run now
    EXIT = "exit"  # worker -> parent: a run ended, with its exit code
    POISONED = "poisoned"  # worker -> parent: the worker cannot serve safely any more, and exits


class Frame(enum.StrEnum):
    """Kinds of frame a child sends."""

    READY = "ready"  # the harness is set up; student code starts now
    DONE = "done"  # results of one or more steps
    END = "end"  # every planned step ran
    CRASH = "crash"  # the harness itself failed (a claim: student code may send it too)


class StepStatus(enum.StrEnum):
    """What happened to one step, as the child claims it or as the parent saw it."""

    OK = "ok"
    MISSING = "missing"  # the name is not defined
    RAISED = "raised"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"  # not run: an earlier step of the same item timed out
    KILLED = "killed"  # parent only: the process died during the step


CHILD_STATUSES = frozenset({StepStatus.OK, StepStatus.MISSING, StepStatus.RAISED, StepStatus.TIMEOUT,
                            StepStatus.SKIPPED})


@dataclass(frozen=True, slots=True)
class StepResult:
    """One step's result, validated. ``value`` is the encoded value as compact JSON text.

    The text form costs a tenth of the memory of parsed JSON, and a value that is byte for
    byte the reference's encoding passes every check without being decoded.
    """

    status: StepStatus
    value: str | None = None
    message: str = ""
    autograd: bool = False
    absent: bool = False  # an import step: the module's file is not there
    mutated: tuple[str, ...] = ()  # inputs the call changed: a claim that can only cost the student
    place: str = ""  # where in student code it raised: "cell 3" or a file name (a claim, for annotations)
    line: int = 0  # the line there (0: not known)


def encode_frame(nonce: str, kind: Frame | str, **fields: Any) -> bytes:
    """A frame as the child writes it."""
    data = json.dumps({"n": nonce, "k": str(kind), **fields}, separators=(",", ":")).encode()
    return FRAME_HEADER.pack(len(data)) + data


def value_text(encoded: Any) -> str:
    """The compact JSON text of an encoded value, as ``StepResult.value`` keeps it."""
    return json.dumps(encoded, separators=(",", ":"))


def clean_message(text: Any) -> str:
    """A claimed message as plain text on one line: control characters dropped, length capped."""
    if not isinstance(text, str):
        return ""
    flat = "".join(c if c.isprintable() else " " for c in text[: MAX_MESSAGE * 2])
    return " ".join(flat.split())[:MAX_MESSAGE]


def parse_result(raw: Any) -> StepResult:
    """Validate one claimed step result; ``ValueError`` when it is malformed."""
    if not isinstance(raw, dict):
        raise ValueError("a step result must be an object")
    try:
        status = StepStatus(str(raw.get("status")))
    except ValueError:
        raise ValueError("unknown step status") from None
    if status not in CHILD_STATUSES:
        raise ValueError("a child cannot report that status")
    value = None
    if status is StepStatus.OK and "value" in raw:
        value = value_text(raw["value"])
    mutated = raw.get("mutated")
    names = tuple(m[:40] for m in mutated[:10] if isinstance(m, str)) if isinstance(mutated, list) else ()
    line = raw.get("line")
    line = line if type(line) is int and 0 < line <= MAX_LINE else 0
    return StepResult(status, value, clean_message(raw.get("message")), raw.get("autograd") is True,
                      raw.get("absent") is True, names, clean_message(raw.get("place"))[:MAX_PLACE], line)


class FrameTooLarge(ValueError):
    """A frame, or a run's frames together, exceed what the parent accepts."""


class FrameReader:
    """Splits a child's byte stream into frames, bounding each before it is parsed.

    Frames that are not JSON objects, or carry another run's nonce, are dropped: only the
    child of this run knows its nonce, so a frame without it was never sent by the harness.
    """

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce
        self.buffer = bytearray()
        self.received = 0

    def feed(self, chunk: bytes) -> list[dict[str, Any]]:
        """The complete frames ``chunk`` finishes; ``FrameTooLarge`` stops the run."""
        self.received += len(chunk)
        if self.received > MAX_RUN_BYTES:
            raise FrameTooLarge(f"it reported more than {MAX_RUN_BYTES >> 20} MiB of results")
        self.buffer += chunk
        frames = []
        while len(self.buffer) >= FRAME_HEADER.size:
            (size,) = FRAME_HEADER.unpack_from(self.buffer)
            if size > MAX_FRAME:
                raise FrameTooLarge(f"it wrote a result frame larger than {MAX_FRAME >> 20} MiB")
            if len(self.buffer) < FRAME_HEADER.size + size:
                break
            data = bytes(self.buffer[FRAME_HEADER.size:FRAME_HEADER.size + size])
            del self.buffer[:FRAME_HEADER.size + size]
            frame = _parse(data)
            if frame is not None and frame.get("n") == self.nonce:
                frames.append(frame)
        return frames


def _parse(data: bytes) -> dict[str, Any] | None:
    containers = data.count(b"{") + data.count(b"[")
    if containers > MAX_FRAME_CONTAINERS or data.count(b",") + data.count(b":") > MAX_FRAME_SEPARATORS:
        raise FrameTooLarge("it wrote a result frame with too many values")
    try:
        frame = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return frame if isinstance(frame, dict) else None
