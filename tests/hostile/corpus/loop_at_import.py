ASSIGNMENT = "jhu-hw3"
# compose: split
# Attacks the per-cell time limit: an endless busy loop while the module is imported, placed
# between Question 1 and Question 2 of the correct code.
# Expect: the import times out, status "error"; Question 1's names, defined before the loop,
# are still graded (correct); Question 2's names were never defined (missing).
while True:
    pass
