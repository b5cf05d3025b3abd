"""Grading engine of the twenty-practices Python course.

It checks the practice, not only the answer: style with ruff, types with mypy,
behaviour with pytest, and more, each a small check class that an exercise
declares in its ``exercise.toml``.
"""

import logging

from autograder._engine import (
    default_runner,
    grade_cell,
    grade_notebook,
    load_exercise,
    normalise_answer,
    split_tests,
    validate_spec,
)
from autograder._errors import (
    AutograderError,
    BuildError,
    CellNotFoundError,
    ConfigError,
    NotebookError,
    ProgressError,
    SpecError,
    WorkerError,
)
from autograder._settings import Settings, load_settings
from autograder.feedback import (
    CellReport,
    CheckOutcome,
    Finding,
    Location,
    Mode,
    NotebookReport,
    Severity,
)
from autograder.kernel import load_ipython_extension, unload_ipython_extension

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "AutograderError",
    "BuildError",
    "CellNotFoundError",
    "CellReport",
    "CheckOutcome",
    "ConfigError",
    "Finding",
    "Location",
    "Mode",
    "NotebookError",
    "NotebookReport",
    "ProgressError",
    "Settings",
    "Severity",
    "SpecError",
    "WorkerError",
    "default_runner",
    "grade_cell",
    "grade_notebook",
    "load_exercise",
    "load_ipython_extension",
    "load_settings",
    "normalise_answer",
    "split_tests",
    "unload_ipython_extension",
    "validate_spec",
]
