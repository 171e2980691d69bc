"""The parent's side of the sandbox: a pool of warm workers and one event loop over all runs.

The loop enforces every time limit itself, reads each child's frames with a
size cap, and treats every frame as an untrusted claim handed to its job.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import secrets
import selectors
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from grader.errors import SandboxError
from grader.sandbox.bwrap import SandboxMode, environment, worker_command
from grader.sandbox.procs import PR_SET_CHILD_SUBREAPER, kill_descendants, prctl

FRAME = struct.Struct(">I")
PROGRESS = struct.Struct(">i")
NO_PROGRESS = -1
MAX_FRAME = 24 << 20
MAX_RUN_BYTES = 64 << 20
KILL_GRACE = 3.0
EOF_GRACE = 2.0
START_TIMEOUT = 120.0
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
    progress: int | None = None  # the step the child said it was running, an untrusted claim


class Job(Protocol):
    """A submission's sequence of runs; the pool drives it."""

    def next_run(self) -> RunRequest | None: ...
    def on_frame(self, frame: dict[str, Any]) -> None: ...
    def on_exit(self, ended: RunExit) -> None: ...
    def on_begin(self, now: float) -> None: ...
    def deadline(self) -> float: ...
    def on_deadline(self) -> None: ...


@dataclass
class _Run:
    job: Job
    run_id: str
    nonce: str
    out_fd: int
    job_fd: int
    buffer: bytearray = field(default_factory=bytearray)
    received: int = 0
    exited: RunExit | None = None
    reported: bool = False  # the worker said the run ended (so it went on to the queued one)
    eof: bool = False
    kill_sent: float | None = None
    eof_deadline: float | None = None


class _Worker:
    def __init__(self, mode: SandboxMode, torch: bool, tmp: Path) -> None:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = environment() if mode is SandboxMode.BWRAP else {**environment(), "TMPDIR": str(tmp)}
        self.log = tmp / f"worker-{secrets.token_hex(4)}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                worker_command(mode, child_end.fileno(), torch=torch), pass_fds=(child_end.fileno(),),
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True,
            )
        child_end.close()
        self.ctrl = parent_end
        self.ready = False
        self.started = time.monotonic()
        self.run: _Run | None = None  # the run the worker is on
        self.queued: _Run | None = None  # the run it starts as soon as that one ends
        self.orphans: list[Job] = []  # once it is dead: jobs to move to its replacement
        self.dead = False
        self.shared: set[str] = set()

    @property
    def gone(self) -> bool:
        return self.dead or self.proc.poll() is not None

    def send(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        socket.send_fds(self.ctrl, [json.dumps(message).encode()], fds or [])

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


def _memfd(data: bytes) -> int:
    """An anonymous in-memory file holding ``data``, positioned at its start, that cannot grow."""
    fd = os.memfd_create("grader", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL)
    return fd


def _progress(fd: int) -> int | None:
    """The progress slot of a run's job file (see ``grader.harness.child``)."""
    try:
        data = os.pread(fd, PROGRESS.size, 0)
    except OSError:
        return None
    return PROGRESS.unpack(data)[0] if len(data) == PROGRESS.size else None


class Pool:
    """Warm workers that run jobs' runs concurrently, one run per worker at a time."""

    def __init__(self, size: int, mode: SandboxMode, tmp: Path, *, torch: bool) -> None:
        self.mode, self.tmp, self.torch = mode, tmp, torch
        if mode is SandboxMode.NONE:
            # Without a pid namespace, orphans of a killed worker come back to us to be swept.
            prctl(PR_SET_CHILD_SUBREAPER, 1)
        self.selector = selectors.DefaultSelector()
        self.workers: list[_Worker] = []
        self.failed_starts = 0
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
        active = 0
        exhausted = False
        done: list[Job] = []
        while True:
            # Every worker holds a run and a queued one, so it never waits for the parent to
            # grade; this happens before the finished jobs go back to be graded.
            for worker in self._open_slots():
                job = None if exhausted else next(waiting, None)
                if job is None:
                    exhausted = True
                    break
                if self._start(worker, job):
                    active += 1
                else:
                    done.append(job)
            yield from done
            done = []
            if exhausted and active == 0:
                return
            done = self._step()
            active -= len(done)

    def _open_slots(self) -> list[_Worker]:
        """Idle workers first, then busy ones with nothing queued."""
        ready = [w for w in self.workers if w.ready and not w.gone]
        return [w for w in ready if w.run is None] + [w for w in ready if w.run is not None and w.queued is None]

    def _spawn(self) -> None:
        worker = _Worker(self.mode, self.torch, self.tmp)
        self.workers.append(worker)
        self.selector.register(worker.ctrl, selectors.EVENT_READ, ("ctrl", worker))

    def _drop(self, worker: _Worker) -> None:
        if worker in self.workers:
            self.workers.remove(worker)
            if not worker.dead:
                self.selector.unregister(worker.ctrl)
            worker.kill()

    def _start(self, worker: _Worker, job: Job) -> bool:
        """Start the job's next run on ``worker``; False when the job needs no run."""
        request = job.next_run()
        if request is None:
            return False
        shared_id, shared_data = request.shared
        if shared_id not in worker.shared:
            shared_fd = _memfd(shared_data)
            try:
                worker.send({"k": "shared", "id": shared_id}, [shared_fd])
            finally:
                os.close(shared_fd)
            worker.shared.add(shared_id)
        nonce = secrets.token_hex(16)
        job_fd = _memfd(PROGRESS.pack(NO_PROGRESS) + json.dumps({**request.payload, "nonce": nonce}).encode())
        read_fd, write_fd = os.pipe2(os.O_CLOEXEC)
        os.set_blocking(read_fd, False)  # the child's end stays blocking: large frames must not fail
        try:
            fcntl.fcntl(read_fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # room for frames between batches
        except OSError:
            pass
        run = _Run(job, secrets.token_hex(8), nonce, read_fd, job_fd)
        try:
            worker.send({"k": "run", "id": run.run_id, "limits": request.limits}, [job_fd, write_fd])
        except BaseException:
            os.close(job_fd)
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        if worker.run is None:
            worker.run = run
            job.on_begin(time.monotonic())
        else:
            worker.queued = run
        self.selector.register(read_fd, selectors.EVENT_READ, ("out", worker, run))
        return True

    def _step(self) -> list[Job]:
        """Wait for one round of events; return the jobs that finished."""
        finished: list[Job] = []
        for key, _ in self.selector.select(self._timeout()):
            role, worker, *run = key.data
            if role == "out":
                self._read(worker, run[0])
            else:
                self._control(worker)
        self._enforce_deadlines()
        for worker in list(self.workers):
            finished += self._settle(worker)
        for worker in [w for w in self.workers if w.gone and w.run is None]:
            self._replace(worker)
        return finished

    def _timeout(self) -> float:
        now = time.monotonic()
        times = [now + 1.0]
        for worker in self.workers:
            run = worker.run
            if run is not None:
                times.append(run.kill_sent + KILL_GRACE if run.kill_sent else run.job.deadline())
                if run.eof_deadline:
                    times.append(run.eof_deadline)
        return max(0.0, min(times) - now)

    def _read(self, worker: _Worker, run: _Run) -> None:
        try:
            chunk = os.read(run.out_fd, 1 << 20)
        except BlockingIOError:
            return
        if not chunk:
            run.eof = True
            self.selector.unregister(run.out_fd)
            return
        run.received += len(chunk)
        if run.received > MAX_RUN_BYTES:
            self._kill_run(worker, run, "it reported more than 64 MiB of results")
            return
        run.buffer += chunk
        self._frames(run, worker)

    def _frames(self, run: _Run, worker: _Worker) -> None:
        while len(run.buffer) >= FRAME.size:
            (size,) = FRAME.unpack_from(run.buffer)
            if size > MAX_FRAME:
                self._kill_run(worker, run, "it wrote a malformed result frame")
                run.buffer.clear()
                return
            if len(run.buffer) < FRAME.size + size:
                return
            data = bytes(run.buffer[FRAME.size:FRAME.size + size])
            del run.buffer[:FRAME.size + size]
            try:
                frame = json.loads(data)
            except (ValueError, RecursionError):
                continue
            if isinstance(frame, dict) and frame.get("n") == run.nonce:
                run.job.on_frame(frame)

    def _control(self, worker: _Worker) -> None:
        try:
            data = worker.ctrl.recv(1 << 16)
        except OSError:
            data = b""
        if not data:
            self._worker_died(worker)
            return
        try:
            message = json.loads(data)
        except ValueError:
            message = {}
        if message.get("k") == "ready":
            worker.ready = True
            self.failed_starts = 0
        elif message.get("k") == "exit":
            # The queued run may end before the parent has settled the one before it.
            for run in (worker.run, worker.queued):
                if run is not None and run.exited is None and message.get("id") == run.run_id:
                    code = message.get("code")
                    run.exited = RunExit(code if isinstance(code, int) else None, bool(message.get("killed")))
                    run.reported = True
                    run.eof_deadline = time.monotonic() + EOF_GRACE

    def _worker_died(self, worker: _Worker) -> None:
        if worker.dead:
            return
        # The queued run had started if the one before it had ended: the worker goes straight on.
        started = [worker.run] + ([worker.queued] if worker.run and worker.run.reported else [])
        for run in started:
            if run is not None and run.exited is None:
                run.exited = RunExit(None, killed=False, reason="the sandbox worker died during the run")
                run.eof = True
        if not worker.ready:
            self.failed_starts += 1
            if self.failed_starts >= 3:
                raise SandboxError(f"sandbox workers fail to start:\n{worker.failure()}")
        self.selector.unregister(worker.ctrl)
        worker.ready = False
        worker.dead = True

    def _kill_run(self, worker: _Worker, run: _Run, reason: str) -> None:
        if run.kill_sent is not None:
            return
        run.kill_sent = time.monotonic()
        try:
            worker.send({"k": "kill", "id": run.run_id})
        except OSError:
            pass
        if reason:
            run.job.on_frame({"k": "abort", "reason": reason})

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for worker in list(self.workers):
            run = worker.run
            if run is None or run.exited is not None:
                if run is not None and run.eof_deadline and now > run.eof_deadline:
                    run.eof = True
                continue
            if run.kill_sent is None and now > run.job.deadline():
                run.job.on_deadline()
                self._kill_run(worker, run, "")
            elif run.kill_sent is not None and now > run.kill_sent + KILL_GRACE:
                run.exited = RunExit(None, killed=True, reason="the sandbox did not stop the run")
                run.eof = True
                self._worker_died(worker)
                try:
                    os.killpg(worker.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def _settle(self, worker: _Worker) -> list[Job]:
        """Close the worker's runs that have exited and drained; start their jobs' next runs.

        Returns the jobs that need no further run.
        """
        finished: list[Job] = []
        again = worker.orphans  # jobs whose next run waits for the fresh worker that replaces this one
        while (run := worker.run) is not None and run.exited is not None and run.eof:
            ended = dataclasses.replace(run.exited, progress=_progress(run.job_fd))
            self._close(run)
            worker.run, worker.queued = worker.queued, None
            if worker.run is not None:
                worker.run.job.on_begin(time.monotonic())  # its clocks start now, not when queued
            run.job.on_exit(ended)
            if worker.gone:
                again.append(run.job)
            elif not self._start(worker, run.job):
                finished.append(run.job)
        if worker.gone and (again or worker.run is not None):
            if worker.run is not None and worker.run.exited is None:  # queued, never started
                again.append(worker.run.job)
                self._close(worker.run)
                worker.run = None
            if worker.run is None:
                self._replace(worker)
                fresh = self.workers[-1]
                self._wait_ready(fresh)
                for job in again:
                    if not self._start(fresh, job):
                        finished.append(job)
        return finished

    def _close(self, run: _Run) -> None:
        if run.out_fd in self.selector.get_map():
            self.selector.unregister(run.out_fd)
        os.close(run.out_fd)
        os.close(run.job_fd)

    def _wait_ready(self, worker: _Worker) -> None:
        """Block until a fresh worker is ready (it replaces one a submission killed)."""
        while not worker.ready:
            if time.monotonic() - worker.started > START_TIMEOUT or worker.proc.poll() is not None:
                raise SandboxError(f"a sandbox worker failed to start:\n{worker.failure()}")
            for key, _ in self.selector.select(0.5):
                role, owner, *_ = key.data
                if owner is worker and role == "ctrl":
                    self._control(worker)

    def _replace(self, worker: _Worker) -> None:
        self._drop(worker)
        self._sweep()
        self._spawn()
