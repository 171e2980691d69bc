"""Isolation: warm workers inside bubblewrap, one forked child per submission run.

    parent (trusted: rubric, reference, scores)
      └── bwrap (new user, pid, net, ipc, uts and mount namespaces; read-only system)
            └── worker (imports numpy and torch once; holds no secret, no student data)
                  └── child (one run of one submission: rlimits, own session, own tmp dir)

The parent hands each run two fresh file descriptors: a memfd with the job and
a pipe for the child's frames. The worker never reads either, so nothing of
one student's run is left in the memory the next child is forked from.
"""
