ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Fills every place it can write: 1.5 GiB (or what fits) into /etc, /, /tmp, /dev/shm and its
# working folder, one 64 KiB block at a time, and leaves the files there.
# Expect: writes stop at the run's caps (read-only folders, a 256 MiB /tmp, the file size
# limit); its answers are the reference's; the run and later runs are unaffected.
import os

# SAFETY: outside the sandbox this would write into the host's folders (root here), so the
# attack runs in full only inside a run's own namespaces (parent invisible: getppid() is 0).
_SANDBOXED = os.environ.get("GRADER_SANDBOXED") == "1" and os.getppid() == 0
_BLOCK = b"x" * (64 << 10)
for _place in ("/etc", "/", "/tmp", "/dev/shm", ".") if _SANDBOXED else (".",):
    for _part in range(6):
        try:
            with open(os.path.join(_place, f"hostile-fill-{_part}" if _part else "hostile-fill"), "wb") as _f:
                for _ in range(4096):  # 256 MiB per file, 1.5 GiB per folder
                    _f.write(_BLOCK)
        except OSError:
            pass
