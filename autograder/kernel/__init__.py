"""The learner's side: the IPython extension that provides ``%%check``."""

from autograder.kernel._magic import (
    REPORT_LISTENERS,
    CellTracker,
    Checker,
    Feedback,
    lesson_resolver,
    load_ipython_extension,
    unload_ipython_extension,
)

__all__ = [
    "REPORT_LISTENERS",
    "CellTracker",
    "Checker",
    "Feedback",
    "lesson_resolver",
    "load_ipython_extension",
    "unload_ipython_extension",
]
