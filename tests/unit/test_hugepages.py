"""The warm worker's huge-page backing: which mappings it picks, and that collapsing works."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grader.sandbox.hugepages import HUGE, aligned, anonymous_regions

MAPS = """\
55d0c0a00000-55d0c0a21000 r--p 00000000 fe:00 1234   /usr/bin/python3.11
55d0c0c00000-55d0c1200000 rw-p 00000000 00:00 0      [heap]
7f0000000000-7f0000800000 rw-p 00000000 00:00 0
7f0000800000-7f0000900000 rw-s 00000000 00:01 77     /dev/shm/shared
7f0000900000-7f0000a00000 rw-p 00021000 fe:00 1234   /usr/lib/libpython3.11.so
7f0000a00000-7f0000c00000 ---p 00000000 00:00 0
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0      [stack]
"""


def test_only_private_writable_anonymous_mappings_and_the_heap_are_picked() -> None:
    assert anonymous_regions(MAPS) == [
        (0x55D0C0C00000, 0x55D0C1200000),  # [heap]
        (0x7F0000000000, 0x7F0000800000),  # anonymous rw-p
    ]


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0, 4 * HUGE, (0, 4 * HUGE)),
    (4096, 4 * HUGE, (HUGE, 4 * HUGE)),
    (4096, 4 * HUGE - 4096, (HUGE, 3 * HUGE)),
    (4096, HUGE + 4096, None),  # no whole huge page inside
    (HUGE, HUGE, None),
])
def test_aligned_spans(low: int, high: int, expected: tuple[int, int] | None) -> None:
    assert aligned(low, high) == expected


PROBE = """
import numpy
from grader.sandbox.hugepages import collapse
block = bytearray(16 << 20)  # 16 MiB of written anonymous memory
for i in range(0, len(block), 4096):
    block[i] = 1
done = collapse()
huge = [int(line.split()[1]) for line in open("/proc/self/smaps_rollup") if line.startswith("AnonHugePages")][0]
print(done, huge)
"""


def test_collapse_backs_written_memory_with_huge_pages() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    collapsed, huge_kb = (int(n) for n in done.stdout.split())
    if collapsed == 0:
        pytest.skip("this kernel cannot collapse to huge pages (MADV_COLLAPSE needs Linux 6.1)")
    assert collapsed >= 8 * HUGE  # most of the 16 MiB block
    assert huge_kb * 1024 >= 8 * HUGE


UNTOUCHED = """
import mmap
from grader.sandbox.hugepages import collapse
# 64 MiB reserved and never written, as OpenBLAS's buffer is in the worker
spare = mmap.mmap(-1, 64 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
collapse()
flags = [line.split()[1:] for line in open("/proc/self/smaps") if line.startswith("VmFlags")]
print(sum("hg" in f for f in flags))
"""


def test_collapse_marks_no_range_for_huge_pages_on_later_faults() -> None:
    """A child's first touch of a range the worker never wrote must cost 4 KiB, not 2 MiB."""
    done = subprocess.run([sys.executable, "-c", UNTOUCHED], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0"]
