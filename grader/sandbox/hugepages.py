"""Backing the warm worker's heap with transparent huge pages, so that forking it is cheap.

A fork copies one page-table entry per 4 KiB page the worker has written, and the
child's exit drops them again: with torch imported (about 200 MiB) that costs some
15 ms per child. A 2 MiB huge page is a single entry. ``MADV_COLLAPSE`` (Linux 6.1)
turns the worker's anonymous memory into huge pages once, right after its imports,
whatever the system-wide THP setting. Where the kernel lacks it, nothing changes.

Only what is there is collapsed: the ranges are not marked ``MADV_HUGEPAGE``. A marked range
that the worker never wrote, such as OpenBLAS's buffer, would hand each child a fresh huge
page on its first touch there, and zeroing 2 MiB costs a child some 0.3-0.5 ms on these
machines where a few 4 KiB pages would do.
"""

from __future__ import annotations

import ctypes
import os

MADV_COLLAPSE = 25
HUGE = 2 << 20

_libc = ctypes.CDLL(None, use_errno=True)
_libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_libc.madvise.restype = ctypes.c_int


def anonymous_regions(maps: str) -> list[tuple[int, int]]:
    """The writable private anonymous mappings (the heap included) listed in ``maps``."""
    regions = []
    for line in maps.splitlines():
        fields = line.split()
        if len(fields) < 5 or not fields[1].startswith("rw") or fields[1][3] != "p":
            continue
        if len(fields) == 6 and fields[5] != "[heap]":
            continue  # a file, the stack, vdso...
        low, high = (int(part, 16) for part in fields[0].split("-"))
        regions.append((low, high))
    return regions


def aligned(low: int, high: int) -> tuple[int, int] | None:
    """The largest part of ``[low, high)`` made of whole, aligned huge pages, if any."""
    start = (low + HUGE - 1) & ~(HUGE - 1)
    end = high & ~(HUGE - 1)
    return (start, end) if end > start else None


def collapse() -> int:
    """Back this process's anonymous memory with huge pages where possible; the bytes collapsed."""
    try:
        with open(f"/proc/{os.getpid()}/maps") as handle:
            regions = anonymous_regions(handle.read())
    except OSError:
        return 0
    collapsed = 0
    for low, high in regions:
        span = aligned(low, high)
        if span is None:
            continue
        start, end = span
        if _libc.madvise(start, end - start, MADV_COLLAPSE) == 0:
            collapsed += end - start
    return collapsed
