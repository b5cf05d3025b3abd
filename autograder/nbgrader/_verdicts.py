"""Verdicts computed ahead of nbgrader, in this process, by ``course grade``.

``course grade`` grades submissions in parallel sandboxes, then lets stock
nbgrader write them into the gradebook one by one; the preprocessor takes a
verdict from here when one was computed for exactly the same answers, tests,
declaration and limits, and grades in a sandbox itself otherwise. The store
lives only in the grading process's memory: nothing learner code can reach.
"""

from __future__ import annotations

import threading

from autograder.feedback import CellReport

_lock = threading.Lock()
_store: dict[str, dict[str, CellReport]] = {}


def put(key: str, reports: dict[str, CellReport]) -> None:
    """Keep a verdict for the preprocessor.

    Args:
        key: From :func:`~autograder.nbgrader.verdict_key`.
        reports: The reports by graded cell.
    """
    with _lock:
        _store[key] = reports


def take(key: str) -> dict[str, CellReport] | None:
    """Take a verdict out, if one was computed.

    Args:
        key: From :func:`~autograder.nbgrader.verdict_key`.

    Returns:
        The reports, or ``None``.
    """
    with _lock:
        return _store.pop(key, None)


def clear() -> None:
    """Forget every verdict."""
    with _lock:
        _store.clear()
