"""The nbgrader side of the course: generating exercises and checking them."""

from autograder.build._build import (
    RELEASE_DIR,
    SOURCE_DIR,
    BuildResult,
    assignments,
    build,
)
from autograder.build._consistency import check_consistency

__all__ = [
    "RELEASE_DIR",
    "SOURCE_DIR",
    "BuildResult",
    "assignments",
    "build",
    "check_consistency",
]
