"""Code shared by the trusted parent and the sandboxed child.

The same functions encode values, build probe arguments and call targets on
both sides, so the reference and the student go through one harness. Nothing
here may import the reference solver or hold expected values.
"""
