"""Peak memory and CPU time of a process tree, sampled from /proc every 20 ms.

Sandboxed workers live in their own pid namespace but keep a host pid and parent, so the tree
is complete from outside. Their CPU time, though, does not reach `RUSAGE_CHILDREN` of the
process that started the grader (a worker reaped while its pid namespace is torn down passes
no times up), so it is summed here from the samples instead.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from dataclasses import dataclass

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
POLL_SECONDS = 0.02


@dataclass
class Peaks:
    """The peak RSS of a process tree, of its root process alone, and the most processes seen."""

    tree_bytes: int = 0
    root_bytes: int = 0
    processes: int = 0


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/PID/stat the sampler uses."""

    parent: int
    own_ticks: int
    reaped_ticks: int
    rss_pages: int


def read_stat(pid: int) -> ProcStat | None:
    """Return a process's parent, CPU ticks (its own and its reaped children's) and RSS."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    # Fields 4, 14-17 and 24 of proc(5), counted from the state field, which is field 3.
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return ProcStat(int(fields[1]), utime + stime, cutime + cstime, int(fields[21]))


def _hwm_bytes(pid: int) -> int:
    """Return the kernel's own peak RSS (VmHWM) of a process, or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples a process tree until stopped, keeping peaks and each process's last sample."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peaks = Peaks()
        self._parents: dict[int, int] = {}
        self._last: dict[int, tuple[ProcStat, list[int]]] = {}
        self._kids: dict[int, set[int]] = defaultdict(set)
        self._halt = threading.Event()

    def _children(self) -> dict[int, list[int]]:
        """Return every visible process's children; a known pid's parent is not read again."""
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
        parents = {}
        for pid in pids:
            parent = self._parents.get(pid)
            if parent is None:
                stat = read_stat(pid)
                parent = stat.parent if stat else -1
            parents[pid] = parent
        self._parents = parents
        children: dict[int, list[int]] = defaultdict(list)
        for pid, parent in parents.items():
            children[parent].append(pid)
        return children

    def sample(self) -> None:
        """Take one sample of the tree: update the peaks and each process's last sample."""
        children = self._children()
        stats, todo = {}, [self.root]
        while todo:
            pid = todo.pop()
            stat = read_stat(pid)
            if stat is not None:
                stats[pid] = stat
                todo.extend(children.get(pid, ()))
        for pid, stat in stats.items():
            alive = [c for c in children.get(pid, ()) if c in stats]
            self._last[pid] = (stat, alive)
            self._kids[pid].update(alive)
        peaks = self.peaks
        peaks.tree_bytes = max(peaks.tree_bytes, sum(s.rss_pages for s in stats.values()) * PAGE)
        peaks.root_bytes = max(peaks.root_bytes, _hwm_bytes(self.root))
        peaks.processes = max(peaks.processes, len(stats))

    def cpu_seconds(self) -> float:
        """Return the tree's CPU time, from each process's last sample, children first.

        A process's reaped ticks are exact for the children it waited for; children that died
        unseen by it (a sandbox torn down at exit) count with their own last samples instead.
        """
        seen: set[int] = set()

        def total(pid: int) -> int:
            if pid in seen or pid not in self._last:
                return 0
            seen.add(pid)
            stat, alive = self._last[pid]
            dead = self._kids[pid].difference(alive)
            reaped = max(stat.reaped_ticks, sum(total(child) for child in dead))
            return stat.own_ticks + reaped + sum(total(child) for child in alive)

        return total(self.root) / TICK

    def root_cpu_seconds(self) -> float:
        """Return the CPU time of the root process alone, at its last sample."""
        last = self._last.get(self.root)
        return last[0].own_ticks / TICK if last else 0.0

    def run(self) -> None:
        """Sample until stopped."""
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(POLL_SECONDS)

    def stop(self) -> Peaks:
        """Stop sampling and return the peaks."""
        self._halt.set()
        self.join()
        return self.peaks
