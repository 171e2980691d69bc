ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks loading: the correct code followed by a syntax error, so nothing can run.
# Expect: status "error" naming the syntax error; every item "error"; 0 points.


def broken(:
    pass
