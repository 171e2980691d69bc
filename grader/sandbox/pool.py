"""The parent's side of the sandbox: a pool of warm workers and one event loop over all runs.

The loop enforces every time limit itself, reads each child's frames through a bounded
``FrameReader``, and hands each frame to its job as an untrusted claim.

A run moves through these states (``RunState``):

    QUEUED ──START──▶ RUNNING ──EXIT──▶ EXITED ──pipe drained──▶ settled (job.on_exit)
      │                  │
      │ worker dies      │ worker dies, or KILL_GRACE passes after a kill
      ▼                  ▼
    moved to a fresh   EXITED, "the sandbox worker died during the run"
    worker, untouched

Each worker holds at most one running run and one queued behind it, so it never waits for
the parent. A run that never started is never charged for a worker's death: it moves.
"""

from __future__ import annotations

import enum
import fcntl
import json
import os
import secrets
import selectors
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from grader.errors import SandboxError
from grader.limits import EOF_GRACE, KILL_GRACE, WORKER_START_SECONDS
from grader.protocol import MAX_CONTROL, Control, FrameReader, FrameTooLarge
from grader.sandbox.bwrap import SandboxMode, environment, worker_command
from grader.sandbox.procs import PR_SET_CHILD_SUBREAPER, kill_descendants, prctl

PIPE_BYTES = 1 << 20


@dataclass(frozen=True)
class RunRequest:
    """One execution of a submission's steps in a fresh child."""

    payload: dict[str, Any]
    limits: dict[str, int]
    shared: tuple[str, bytes]


@dataclass(frozen=True)
class RunExit:
    """How a run ended, as far as the parent can tell."""

    code: int | None
    killed: bool
    reason: str = ""


class Job(Protocol):
    """A submission's sequence of runs; the pool drives it."""

    def next_run(self) -> RunRequest | None: ...
    def on_begin(self, now: float) -> None: ...
    def on_frame(self, frame: dict[str, Any], now: float) -> None: ...
    def on_abort(self, reason: str) -> None: ...
    def on_unstarted(self) -> None: ...
    def deadline(self) -> float: ...
    def on_deadline(self) -> None: ...
    def on_exit(self, ended: RunExit) -> None: ...


class RunState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    EXITED = "exited"


@dataclass
class _Live:
    job: Job
    run_id: str
    out_fd: int
    reader: FrameReader
    state: RunState = RunState.QUEUED
    exited: RunExit | None = None
    eof: bool = False
    kill_sent: float | None = None
    eof_deadline: float | None = None


class _Worker:
    def __init__(self, mode: SandboxMode, torch: bool, tmp: Path, hidden: tuple[Path, ...]) -> None:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = environment() if mode is SandboxMode.BWRAP else {**environment(), "TMPDIR": str(tmp)}
        self.log = tmp / f"worker-{secrets.token_hex(4)}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                worker_command(mode, child_end.fileno(), torch=torch, hidden=hidden), pass_fds=(child_end.fileno(),),
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True,
            )
        child_end.close()
        self.ctrl = parent_end
        self.ready = False
        self.dead = False
        self.started = time.monotonic()
        self.runs: list[_Live] = []  # the running run first, then the queued one
        self.shared: set[str] = set()

    @property
    def gone(self) -> bool:
        return self.dead or self.proc.poll() is not None

    def send(self, message: dict[str, Any], fds: list[int] | None = None) -> bool:
        """Send a control message; False when the worker is gone (it is then marked dead)."""
        try:
            socket.send_fds(self.ctrl, [json.dumps(message).encode()], fds or [])
        except OSError:
            self.dead = True
            return False
        return True

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.ctrl.close()

    def failure(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def run(self, run_id: Any) -> _Live | None:
        return next((r for r in self.runs if r.run_id == run_id), None)


def _memfd(data: bytes) -> int:
    """A sealed, read-only-for-the-child in-memory file holding ``data``, at its start."""
    fd = os.memfd_create("grader", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS,
                fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL)
    return fd


class Pool:
    """Warm workers that run jobs' runs concurrently, one run per worker at a time."""

    def __init__(self, size: int, mode: SandboxMode, tmp: Path, *, torch: bool,
                 hidden: tuple[Path, ...] = ()) -> None:
        """``hidden``: paths no submission may see, wherever they lie (see ``bwrap.worker_command``)."""
        self.mode, self.tmp, self.torch, self.hidden = mode, tmp, torch, (*hidden, tmp)
        if mode is SandboxMode.NONE:
            # Without a pid namespace, orphans of a killed worker come back to us to be swept.
            prctl(PR_SET_CHILD_SUBREAPER, 1)
        self.selector = selectors.DefaultSelector()
        self.workers: list[_Worker] = []
        self.failed_starts = 0
        self.moved: list[Job] = []  # jobs whose run never started on a worker that died
        for _ in range(max(1, size)):
            self._spawn()

    def close(self) -> None:
        """Stop every worker; their sandboxes take any stray process with them."""
        for worker in list(self.workers):
            self._drop(worker)
        self._sweep()

    def _sweep(self) -> None:
        """Kill orphans that escaped a dead worker (only possible without namespaces)."""
        if self.mode is SandboxMode.NONE:
            kill_descendants(os.getpid(), frozenset(w.proc.pid for w in self.workers if not w.gone))

    def process(self, jobs: Iterable[Job]) -> Iterator[Job]:
        """Run every job to completion, yielding each as soon as it finishes."""
        waiting = iter(jobs)
        in_flight = 0  # jobs taken from ``jobs`` and not yet finished, moved ones included
        exhausted = False
        while True:
            done: list[Job] = []
            for worker in self._open_slots():
                if self.moved:
                    job = self.moved.pop()
                elif exhausted or (job := next(waiting, None)) is None:  # type: ignore[assignment]
                    exhausted = True
                    break
                else:
                    in_flight += 1
                started = self._start(worker, job)
                if started is None:
                    self.moved.append(job)
                elif not started:
                    done.append(job)
            in_flight -= len(done)
            yield from done
            if exhausted and in_flight == 0:
                return
            finished = self._step()
            in_flight -= len(finished)
            yield from finished

    def _open_slots(self) -> list[_Worker]:
        """Idle workers first, then busy ones with nothing queued."""
        ready = [w for w in self.workers if w.ready and not w.gone]
        return [w for w in ready if not w.runs] + [w for w in ready if len(w.runs) == 1]

    def _spawn(self) -> None:
        worker = _Worker(self.mode, self.torch, self.tmp, self.hidden)
        self.workers.append(worker)
        self.selector.register(worker.ctrl, selectors.EVENT_READ, ("ctrl", worker))

    def _drop(self, worker: _Worker) -> None:
        if worker in self.workers:
            self.workers.remove(worker)
            if worker.ctrl.fileno() in self.selector.get_map():
                self.selector.unregister(worker.ctrl)
            worker.kill()

    def _start(self, worker: _Worker, job: Job) -> bool | None:
        """Queue the job's next run on ``worker``: False when the job needs no run, None when
        the worker turned out to be gone (the job is then untouched)."""
        request = job.next_run()
        if request is None:
            return False
        shared_id, shared_data = request.shared
        if shared_id not in worker.shared:
            shared_fd = _memfd(shared_data)
            try:
                if not worker.send({"k": Control.SHARED, "id": shared_id}, [shared_fd]):
                    self._lost(worker, job)
                    return None
            finally:
                os.close(shared_fd)
            worker.shared.add(shared_id)
        nonce = secrets.token_hex(16)
        job_fd = _memfd(json.dumps({**request.payload, "nonce": nonce}).encode())
        read_fd, write_fd = os.pipe2(os.O_CLOEXEC)
        os.set_blocking(read_fd, False)  # the child's end stays blocking: large frames must not fail
        try:
            fcntl.fcntl(read_fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # room for frames between batches
        except OSError:
            pass
        run = _Live(job, secrets.token_hex(8), read_fd, FrameReader(nonce))
        try:
            sent = worker.send({"k": Control.RUN, "id": run.run_id, "limits": request.limits},
                               [job_fd, write_fd])
        finally:
            os.close(job_fd)
            os.close(write_fd)
        if not sent:
            os.close(read_fd)
            self._lost(worker, job)
            return None
        worker.runs.append(run)
        self.selector.register(read_fd, selectors.EVENT_READ, ("out", worker, run))
        return True

    def _lost(self, worker: _Worker, job: Job) -> None:
        """The worker died before it got the run: the run never happened."""
        job.on_unstarted()
        self._worker_died(worker)

    def _step(self) -> list[Job]:
        """Wait for one round of events; return the jobs that finished."""
        finished: list[Job] = []
        for key, _ in self.selector.select(self._timeout()):
            if key.fd not in self.selector.get_map():
                continue  # closed by an event handled just before (its worker died)
            role, worker, *run = key.data
            if role == "out":
                self._read(worker, run[0])
            else:
                self._control(worker)
        self._enforce_deadlines()
        for worker in list(self.workers):
            finished += self._settle(worker)
        for worker in [w for w in self.workers if w.gone and not w.runs]:
            self._replace(worker)
        return finished

    def _timeout(self) -> float:
        now = time.monotonic()
        times = [now + 1.0]
        for worker in self.workers:
            for run in worker.runs:
                if run.state is RunState.RUNNING:
                    times.append(run.kill_sent + KILL_GRACE if run.kill_sent else run.job.deadline())
                if run.eof_deadline:
                    times.append(run.eof_deadline)
        return max(0.0, min(times) - now)

    def _read(self, worker: _Worker, run: _Live) -> None:
        try:
            chunk = os.read(run.out_fd, 1 << 20)
        except BlockingIOError:
            return
        if not chunk:
            run.eof = True
            self.selector.unregister(run.out_fd)
            return
        try:
            frames = run.reader.feed(chunk)
        except FrameTooLarge as exc:
            self._kill_run(worker, run, str(exc))
            run.reader.buffer.clear()
            return
        now = time.monotonic()
        for frame in frames:
            run.job.on_frame(frame, now)

    def _control(self, worker: _Worker) -> None:
        try:
            data = worker.ctrl.recv(MAX_CONTROL)
        except OSError:
            data = b""
        if not data:
            self._worker_died(worker)
            return
        try:
            message = json.loads(data)
        except ValueError:
            message = {}
        kind = message.get("k")
        run = worker.run(message.get("id"))
        if kind == Control.READY:
            worker.ready = True
            self.failed_starts = 0
        elif kind == Control.START and run is not None and run.state is RunState.QUEUED:
            run.state = RunState.RUNNING
            run.job.on_begin(time.monotonic())
        elif kind == Control.EXIT and run is not None and run.exited is None:
            code = message.get("code")
            self._exited(run, RunExit(code if isinstance(code, int) else None, bool(message.get("killed"))))
        elif kind == Control.POISONED:
            self._worker_died(worker)

    def _exited(self, run: _Live, ended: RunExit) -> None:
        run.state = RunState.EXITED
        run.exited = ended
        run.eof_deadline = time.monotonic() + EOF_GRACE

    def _worker_died(self, worker: _Worker) -> None:
        """A run that had started is over; one that had not is moved to another worker."""
        if worker.dead and worker.ctrl.fileno() not in self.selector.get_map():
            return
        for run in list(worker.runs):
            if run.state is RunState.RUNNING:
                self._exited(run, RunExit(None, killed=False, reason="the sandbox worker died during the run"))
                run.eof = True
            elif run.state is RunState.QUEUED:
                worker.runs.remove(run)
                self._close(run)
                run.job.on_unstarted()
                self.moved.append(run.job)
        if not worker.ready:
            self.failed_starts += 1
            if self.failed_starts >= 3:
                raise SandboxError(f"sandbox workers fail to start:\n{worker.failure()}")
        if worker.ctrl.fileno() in self.selector.get_map():
            self.selector.unregister(worker.ctrl)
        worker.ready = False
        worker.dead = True

    def _kill_run(self, worker: _Worker, run: _Live, reason: str) -> None:
        if run.kill_sent is not None:
            return
        run.kill_sent = time.monotonic()
        worker.send({"k": Control.KILL, "id": run.run_id})
        if reason:
            run.job.on_abort(reason)

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for worker in list(self.workers):
            if not worker.ready and not worker.dead and now - worker.started > WORKER_START_SECONDS:
                raise SandboxError(f"a sandbox worker did not start within {WORKER_START_SECONDS:g} s:\n"
                                   f"{worker.failure()}")
            for run in worker.runs:
                if run.state is RunState.EXITED:
                    if run.eof_deadline and now > run.eof_deadline:
                        run.eof = True
                elif run.state is RunState.RUNNING:
                    self._deadline(worker, run, now)

    def _deadline(self, worker: _Worker, run: _Live, now: float) -> None:
        if run.kill_sent is None and now > run.job.deadline():
            run.job.on_deadline()
            self._kill_run(worker, run, "")
        elif run.kill_sent is not None and now > run.kill_sent + KILL_GRACE:
            self._exited(run, RunExit(None, killed=True, reason="the sandbox did not stop the run"))
            run.eof = True
            self._worker_died(worker)
            try:
                os.killpg(worker.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _settle(self, worker: _Worker) -> list[Job]:
        """Close the worker's runs that have exited and drained; queue their jobs' next runs.

        Returns the jobs that need no further run.
        """
        finished: list[Job] = []
        while worker.runs and worker.runs[0].state is RunState.EXITED and worker.runs[0].eof:
            run = worker.runs.pop(0)
            self._close(run)
            assert run.exited is not None
            run.job.on_exit(run.exited)
            started = None if worker.gone else self._start(worker, run.job)
            if started is None:
                self.moved.append(run.job)
            elif not started:
                finished.append(run.job)
        return finished

    def _close(self, run: _Live) -> None:
        if run.out_fd in self.selector.get_map():
            self.selector.unregister(run.out_fd)
        os.close(run.out_fd)

    def _replace(self, worker: _Worker) -> None:
        self._drop(worker)
        self._sweep()
        self._spawn()

    def wait_ready(self, timeout: float = WORKER_START_SECONDS) -> None:
        """Block until every worker is ready (used by the self-test, which has one job)."""
        deadline = time.monotonic() + timeout
        while not all(w.ready for w in self.workers):
            if time.monotonic() > deadline or any(w.gone and not w.ready for w in self.workers):
                failed = next((w for w in self.workers if not w.ready), self.workers[0])
                raise SandboxError(f"a sandbox worker failed to start:\n{failed.failure()}")
            for key, _ in self.selector.select(0.5):
                role, owner, *_ = key.data
                if role == "ctrl":
                    self._control(owner)
