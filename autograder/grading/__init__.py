"""Batch grading: a whole assignment in parallel sandboxes, stored by stock nbgrader."""

from autograder.grading._batch import (
    BatchResult,
    Problem,
    grade_assignment,
    load_config,
)
from autograder.grading._progress import ProgressBar

__all__ = ["BatchResult", "Problem", "ProgressBar", "grade_assignment", "load_config"]
