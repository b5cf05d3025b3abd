"""Parse Python source from any thread of the grading process.

CPython 3.11 keeps the AST constructor's recursion depth in per-interpreter
state. Two threads building syntax trees at once (a garbage collection in one
can hand the interpreter to the other mid-tree) can fail with ``SystemError:
AST constructor recursion depth mismatch`` (python/cpython#106905).
``course grade`` assesses answers in several threads, so every parse in the
grading process takes one lock.
"""

from __future__ import annotations

import ast
import threading

PARSE_LOCK = threading.Lock()
"""Held while a syntax tree is built; see the module docstring."""


def parse_python(source: str) -> ast.Module:
    """Parse source code into a syntax tree, one thread at a time.

    Args:
        source: Python source code.

    Returns:
        The module's syntax tree.

    Raises:
        SyntaxError: The source is not valid Python.
    """
    with PARSE_LOCK:
        return ast.parse(source)
