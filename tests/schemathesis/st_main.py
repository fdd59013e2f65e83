"""The schemathesis command line, with one workaround for a defect of CPython 3.11.

hypothesis describes each filter's lambda by parsing its source with `ast.parse`; on CPython
3.11, parsing while the call stack is deep can fail with "SystemError: AST constructor recursion
depth mismatch" (the interpreter's own recursion bookkeeping, not the code being parsed), which
schemathesis then reports as an error of the operation under test (seen in the coverage phase on
3.11.2 and 3.11.7). The description is only a label, so when the interpreter fails to produce
it, a plain "lambda" stands in and the run goes on; nothing about the requests or the checks
changes.
"""
import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources.lambda_description


def _describe_or_name(f):
    try:
        return _describe(f)
    except SystemError:
        return "lambda"


lambda_sources.lambda_description = _describe_or_name

from schemathesis.cli import schemathesis  # noqa: E402  (after the patch, by design)

if __name__ == "__main__":
    sys.exit(schemathesis())
