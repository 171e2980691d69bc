ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Persistence across runs: tries to leave a module that later runs would import, and files
# that later runs would see, in every folder it can name: the entries of sys.path (created if
# missing), the system folders, /tmp, /dev/shm, /var/tmp, its working folder and its parents.
# Expect: its own answers are the reference's; no later run (victim.py) finds anything.
import os
import sys

# SAFETY: outside the sandbox this would write into the host's folders (root here), so the
# attack runs in full only inside a run's own namespaces (parent invisible: getppid() is 0).
_SANDBOXED = os.environ.get("GRADER_SANDBOXED") == "1" and os.getppid() == 0
_PLANT = "def answer():\n    return 'neither'\n"
_PLACES = [*sys.path, "/", "/etc", "/root", "/dev", "/dev/shm", "/tmp", "/var/tmp", "/usr/lib/python3",
           os.getcwd(), os.path.dirname(os.getcwd()), os.path.dirname(os.path.dirname(os.getcwd()))]
for _place in filter(None, _PLACES if _SANDBOXED else [os.getcwd()]):
    try:
        os.makedirs(_place, exist_ok=True)
    except OSError:
        pass
    for _name, _text in (("grader_plant_probe.py", _PLANT), ("grader-plant-marker", "planted")):
        try:
            with open(os.path.join(_place, _name), "w") as _handle:
                _handle.write(_text)
        except OSError:
            pass
