"""The course outline: the lessons in order, as data, in one place.

Everything that lists lessons (the progress panel, ``course progress``, the
team report) reads :data:`OUTLINE`; nothing else names a lesson. A lesson's
notebook is ``lessons/<slug>.ipynb`` and its exercise
``exercises/<slug>/<slug>.ipynb``; either may not exist yet in a given copy of
the course, which the callers show as "coming soon".
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

EXERCISE_POINTS = 10.0
"""Points every exercise is worth; full marks means passed."""

COURSE_SEARCH_DEPTH = 4
"""How many folders up from a notebook the course root is looked for."""


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course and, usually, its exercise.

    Attributes:
        number: Position in the course, 0 to 20.
        slug: ``NN_name``: the lesson's file stem and the exercise's id.
        title: The practice, as a learner reads it.
        has_exercise: Whether the lesson comes with a graded exercise.
    """

    number: int
    slug: str
    title: str
    has_exercise: bool = True

    @property
    def label(self) -> str:
        """Number and title, such as ``01 PEP 8``."""
        return f"{self.number:02d} {self.title}"

    def lesson_path(self, root: Path) -> Path:
        """Where the lesson's notebook lives in a course folder.

        Args:
            root: The course folder.

        Returns:
            The notebook's path (it may not exist).
        """
        return root / "lessons" / f"{self.slug}.ipynb"

    def exercise_path(self, root: Path) -> Path:
        """Where the exercise's notebook lives in a course folder.

        Args:
            root: The course folder.

        Returns:
            The notebook's path (it may not exist).
        """
        return root / "exercises" / self.slug / f"{self.slug}.ipynb"


OUTLINE: tuple[Lesson, ...] = (
    Lesson(0, "00_welcome", "How this course works", has_exercise=False),
    Lesson(1, "01_pep8", "PEP 8"),
    Lesson(2, "02_docstrings", "Docstrings"),
    Lesson(3, "03_type_hints", "Type hints"),
    Lesson(4, "04_modular_design", "Modular design"),
    Lesson(5, "05_tdd", "Test-driven development"),
    Lesson(6, "06_error_handling", "Error handling"),
    Lesson(7, "07_design_patterns", "Design patterns"),
    Lesson(8, "08_naming", "Naming"),
    Lesson(9, "09_algorithms", "Efficient algorithms"),
    Lesson(10, "10_security", "Security"),
    Lesson(11, "11_logging", "Logging"),
    Lesson(12, "12_configuration", "Configuration"),
    Lesson(13, "13_code_review", "Code review"),
    Lesson(14, "14_dependencies", "Dependency management"),
    Lesson(15, "15_version_control", "Version control"),
    Lesson(16, "16_documentation", "Documentation"),
    Lesson(17, "17_profiling", "Profiling"),
    Lesson(18, "18_refactoring", "Refactoring"),
    Lesson(19, "19_async", "Async/await"),
    Lesson(20, "20_scalability", "Scalability"),
)
"""Every lesson, in course order."""

EXERCISES: tuple[Lesson, ...] = tuple(item for item in OUTLINE if item.has_exercise)
"""The lessons that come with a graded exercise: the twenty practices."""

_BY_SLUG = {item.slug: item for item in OUTLINE}


def find_lesson(slug: str) -> Lesson | None:
    """Look a lesson up by its slug.

    Args:
        slug: Such as ``01_pep8`` (an exercise id is the same).

    Returns:
        The lesson, or ``None`` when this version of the course has no such lesson.
    """
    return _BY_SLUG.get(slug)


def course_points() -> float:
    """Return the points the whole course is worth."""
    return EXERCISE_POINTS * len(EXERCISES)


def course_version() -> str:
    """Return the installed course package's version, for export files."""
    try:
        return importlib.metadata.version("course-autograder")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def find_course_root(start: Path) -> Path | None:
    """Find the course folder that holds a notebook's folder.

    Args:
        start: A folder inside the course, such as ``exercises/01_pep8``.

    Returns:
        The first of ``start`` and its parents that has a ``lessons`` folder,
        or ``None`` when there is none within a few levels.
    """
    folder = start.resolve()
    for _ in range(COURSE_SEARCH_DEPTH):
        if (folder / "lessons").is_dir():
            return folder
        folder = folder.parent
    return None
