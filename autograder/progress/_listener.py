"""The kernel side: record every check's score in the store.

``%load_ext autograder`` adds :func:`record_report` to the checker's report
listeners. Each check then writes its cell's score to the learner's store and
wakes this kernel's progress panel. Nothing is recorded while nbgrader grades
or validates a notebook (it sets ``NBGRADER_EXECUTION``): that is the
instructor's machine, not the learner's progress.
"""

from __future__ import annotations

import html
import logging
import os
import threading
from pathlib import Path

from autograder._errors import ProgressError
from autograder._settings import Settings
from autograder.feedback import CellReport
from autograder.progress._store import ProgressStore, store_path
from autograder.progress._watch import poke_watchers

logger = logging.getLogger(__name__)

_stores: dict[Path, ProgressStore] = {}
_stores_lock = threading.Lock()
_told: set[Path] = set()


def grading_in_progress() -> bool:
    """Whether nbgrader is running this kernel to grade or validate a notebook."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def kernel_store(settings: Settings | None = None) -> ProgressStore:
    """Return this process's store for the configured data directory.

    Args:
        settings: The engine's settings; read from the environment if omitted.

    Returns:
        One shared store per file, so a kernel keeps one connection open.
    """
    path = store_path(settings)
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = ProgressStore(path)
        return store


def _tell(message: str) -> None:
    """Show a message about the store in the running notebook, or log it."""
    from IPython import get_ipython
    from IPython.display import HTML, display

    if get_ipython() is None:
        logger.warning("%s", message)
        return
    display(  # type: ignore[no-untyped-call]
        HTML(  # type: ignore[no-untyped-call]
            '<div class="course-progress-note" style="border-left:4px solid '
            f'#ef6c00;padding:0.3em 0.8em">{html.escape(message)}</div>'
        )
    )


def record_report(report: CellReport) -> None:
    """Record a graded cell's score: the report listener of ``%%check``.

    A store that cannot be written is said in the notebook, never raised:
    the check's feedback must still show.

    Args:
        report: The cell's report.
    """
    if grading_in_progress():
        return
    store = kernel_store()
    try:
        store.record(report.exercise, report.cell, report.score, report.max_score)
    except ProgressError as error:
        logger.warning("progress not saved: %s", error)
        _tell(f"Your progress could not be saved: {error}")
        return
    if store.recovery is not None and store.path not in _told:
        _told.add(store.path)
        _tell(store.recovery.message)
    poke_watchers()
