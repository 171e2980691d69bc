ASSIGNMENT = "jhu-hw3"
# compose: split
# Attacks the import: sys.exit() between Question 1 and Question 2 of the correct code.
# Expect: status "error" (SystemExit is caught like any exception); Question 1's names are
# graded (correct), Question 2's are missing.
import sys

sys.exit(3)
