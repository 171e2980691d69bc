#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source (the unzipped bundle: this checkout),
# when it builds the autograder's image. See README.md next to it.
set -euo pipefail

# The assignment this autograder grades: the name of one of rubrics/*.toml (`grader list`).
# run_autograder has the same line; make_bundle.sh sets both. An ASSIGNMENT in the environment wins.
ASSIGNMENT="${ASSIGNMENT:-jhu-hw3}"
# Gradescope's root; set AUTOGRADER_ROOT only to try this script elsewhere.
root="${AUTOGRADER_ROOT:-/autograder}"
# The grader gets its own virtual environment: the image's Python may be older than 3.11, and
# its pip may refuse system-wide installs (PEP 668). run_autograder puts it first on PATH.
venv="$root/venv"

cd "$root/source"
if [[ ! -f "rubrics/$ASSIGNMENT.toml" ]]; then
  echo "setup.sh: no rubric rubrics/$ASSIGNMENT.toml; known: $(cd rubrics && ls -- *.toml)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y bubblewrap

# The first Python 3.11 or newer on PATH, installed from the distribution if there is none.
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
if [[ -z "$python" ]]; then
  apt-get install -y python3.11
  python=python3.11
fi
if ! "$python" -m venv "$venv"; then
  apt-get install -y "$python-venv"  # Debian and Ubuntu ship ensurepip separately
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi

# Editable, on purpose: the grader then reads this checkout's solutions/ and its complete rubrics.
# A plain install would get the students' wheel, which has neither the reference nor the alternates.
"$venv/bin/pip" install --upgrade pip
"$venv/bin/pip" install -e .

# torch only for an assignment with an implementation part (nyu-hw1), and the CPU build:
# a plain `pip install torch` pulls several GB of CUDA libraries.
if "$venv/bin/python" - "rubrics/$ASSIGNMENT.toml" <<'PY'
import sys
import tomllib

with open(sys.argv[1], "rb") as file:
    rubric = tomllib.load(file)
sys.exit(0 if rubric.get("solutions", {}).get("implementation") else 1)
PY
then
  "$venv/bin/pip" install torch --index-url https://download.pytorch.org/whl/cpu
fi

"$venv/bin/grader" rubric validate "rubrics/$ASSIGNMENT.toml"
