#!/usr/bin/env bash
# Builds the autograder zip to upload to Gradescope: setup.sh and run_autograder at the top level of
# the zip, beside this whole checkout (the files git tracks, and new ones it does not ignore).
#
#   examples/gradescope/make_bundle.sh [ASSIGNMENT] [OUT.zip]
#
# ASSIGNMENT (default jhu-hw3) is written into both scripts; OUT defaults to
# autograder-ASSIGNMENT.zip in the current folder.
#
# The zip holds the instructor's reference solutions (solutions/), which grading needs, and the
# rubrics' partial-credit alternates: upload it to Gradescope only, and never share it with
# students or put it anywhere they can read it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checkout=$(cd "$here/../.." && pwd)
assignment="${1:-jhu-hw3}"
out="${2:-autograder-$assignment.zip}"

if [[ ! -f "$checkout/rubrics/$assignment.toml" ]]; then
  echo "make_bundle.sh: no rubric $checkout/rubrics/$assignment.toml" >&2
  exit 2
fi

python3 - "$checkout" "$here" "$assignment" "$out" <<'PY'
import re
import subprocess
import sys
import zipfile
from pathlib import Path

checkout, here = (Path(arg).resolve() for arg in sys.argv[1:3])
assignment, out = sys.argv[3], Path(sys.argv[4])
listed = subprocess.run(["git", "-C", str(checkout), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                        capture_output=True, text=True, check=True).stdout.split("\0")
files = sorted(name for name in set(listed) if name and (checkout / name).is_file()
               and not re.fullmatch(r"autograder-.*\.zip", name) and (checkout / name).resolve() != out.resolve())
default = re.compile(r'^ASSIGNMENT="\$\{ASSIGNMENT:-[^}]*\}"$', re.MULTILINE)

with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
    for name in files:
        bundle.write(checkout / name, name)
    for script in ("setup.sh", "run_autograder"):
        text, count = default.subn(f'ASSIGNMENT="${{ASSIGNMENT:-{assignment}}}"', (here / script).read_text())
        if count != 1:
            sys.exit(f"make_bundle.sh: {script} has no ASSIGNMENT line to set")
        entry = zipfile.ZipInfo(script, date_time=(2020, 1, 1, 0, 0, 0))
        entry.external_attr = 0o100755 << 16  # a regular file, executable
        bundle.writestr(entry, text, zipfile.ZIP_DEFLATED)
print(f"{out}: {len(files)} files of {checkout}, with setup.sh and run_autograder for {assignment}")
PY
