"""From cells' scores to the course's progress: status per exercise, totals, next step.

An exercise's score is the best score of each of its graded cells, summed; it
is *passed* at full marks, *in progress* once any check of it ran, and *not
started* before. Scores of exercises this version of the course does not have
(an import from an older version) are kept in the store but left out here.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from autograder.progress._outline import (
    EXERCISE_POINTS,
    EXERCISES,
    Lesson,
    course_points,
    find_lesson,
)
from autograder.progress._store import CellProgress


class Status(StrEnum):
    """Where a learner is with one exercise."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    PASSED = "passed"


@dataclass(frozen=True)
class ExerciseProgress:
    """A learner's progress in one exercise.

    Attributes:
        lesson: The lesson the exercise belongs to.
        cells: The progress of each graded cell checked so far.
    """

    lesson: Lesson
    cells: tuple[CellProgress, ...] = ()

    @property
    def score(self) -> float:
        """The best score of each graded cell, summed."""
        return round(sum(cell.best for cell in self.cells), 2)

    @property
    def max_score(self) -> float:
        """Points the exercise is worth."""
        return EXERCISE_POINTS

    @property
    def checks(self) -> int:
        """How many checks ran, over all cells."""
        return sum(cell.attempts for cell in self.cells)

    @property
    def status(self) -> Status:
        """Passed at full marks, in progress once any check ran."""
        if self.score >= self.max_score:
            return Status.PASSED
        return Status.IN_PROGRESS if self.cells else Status.NOT_STARTED


@dataclass(frozen=True)
class CourseProgress:
    """A learner's progress in every exercise of the course.

    Attributes:
        exercises: One entry per exercise, in course order.
        unknown: Exercise ids with progress that this course version lacks.
    """

    exercises: tuple[ExerciseProgress, ...]
    unknown: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        """Points earned over the course."""
        return round(sum(item.score for item in self.exercises), 2)

    @property
    def max_score(self) -> float:
        """Points the course is worth."""
        return course_points()

    @property
    def passed(self) -> int:
        """How many exercises are passed."""
        return sum(item.status is Status.PASSED for item in self.exercises)

    def exercise(self, slug: str) -> ExerciseProgress:
        """Return one exercise's progress.

        Args:
            slug: The exercise id, such as ``01_pep8``.

        Returns:
            Its progress.

        Raises:
            KeyError: The course has no such exercise.
        """
        for item in self.exercises:
            if item.lesson.slug == slug:
                return item
        raise KeyError(slug)


def summarize(cells: Iterable[CellProgress]) -> CourseProgress:
    """Group cells' progress by exercise, in course order.

    Args:
        cells: Progress per graded cell, from a store or an export.

    Returns:
        The course's progress.
    """
    grouped: dict[str, list[CellProgress]] = defaultdict(list)
    for cell in cells:
        grouped[cell.exercise].append(cell)
    unknown = sorted(
        slug
        for slug in grouped
        if (lesson := find_lesson(slug)) is None or not lesson.has_exercise
    )
    return CourseProgress(
        tuple(
            ExerciseProgress(lesson, tuple(grouped.get(lesson.slug, ())))
            for lesson in EXERCISES
        ),
        tuple(unknown),
    )


@dataclass(frozen=True)
class NextStep:
    """Where the learner should go next.

    Attributes:
        text: What to do, such as ``Exercise 01 — PEP 8``.
        target: The notebook to open, or ``None`` when it does not exist yet.
    """

    text: str
    target: Path | None

    def href(self, start: Path) -> str | None:
        """Return the target as a link relative to a notebook's folder.

        Args:
            start: The folder of the notebook showing the link.

        Returns:
            The relative link with ``/`` separators, or ``None`` without a target.
        """
        if self.target is None:
            return None
        return os.path.relpath(self.target, start).replace(os.sep, "/")


def next_step(
    progress: CourseProgress, root: Path | None, here: str | None = None
) -> NextStep:
    """Choose the next lesson or exercise: the first exercise not yet passed.

    Its lesson comes first, unless the exercise is started or the learner is
    at that lesson (``here``) already.

    Args:
        progress: The learner's progress.
        root: The course folder, to know which notebooks exist; ``None`` if unknown.
        here: The slug of the lesson or exercise the learner is in, if known.

    Returns:
        The next step.
    """
    for item in progress.exercises:
        if item.status is not Status.PASSED:
            return _step_to(item, root, here)
    return NextStep("Nothing: every exercise is passed. Well done!", None)


def _step_to(item: ExerciseProgress, root: Path | None, here: str | None) -> NextStep:
    lesson = item.lesson
    name = f"{lesson.number:02d} — {lesson.title}"
    started = item.status is Status.IN_PROGRESS or here == lesson.slug
    so_far = f" ({item.score:g}/{item.max_score:g} so far)" if item.cells else ""
    if root is None:
        return NextStep(
            f"Exercise {name}{so_far}" if started else f"Lesson {name}", None
        )
    exercise = lesson.exercise_path(root)
    reading = lesson.lesson_path(root)
    if started and exercise.is_file():
        return NextStep(f"Exercise {name}{so_far}", exercise)
    if reading.is_file():
        return NextStep(f"Lesson {name}", reading)
    if exercise.is_file():
        return NextStep(f"Exercise {name}", exercise)
    return NextStep(f"Lesson {name} (coming soon)", None)


def render_text(
    progress: CourseProgress, root: Path | None = None, start: Path | None = None
) -> str:
    """Render progress as plain text, for a terminal.

    Args:
        progress: The learner's progress.
        root: The course folder, to mark lessons that do not exist yet.
        start: Folder that links are relative to; the course folder if omitted.

    Returns:
        A table of the exercises, the totals and the next step.
    """
    lines = [
        f"Progress: {progress.passed} of {len(progress.exercises)} exercises "
        f"passed, {progress.score:g}/{progress.max_score:g} points",
        "",
    ]
    for item in progress.exercises:
        lesson = item.lesson
        score = f"{item.score:g}/{item.max_score:g}" if item.cells else "-"
        soon = ""
        if root is not None and not lesson.exercise_path(root).is_file():
            soon = "  (coming soon)"
        lines.append(
            f"  {lesson.label:<28} {item.status.value:<12} {score:>7}{soon}".rstrip()
        )
    if progress.unknown:
        lines += ["", f"Also stored, not in this course: {', '.join(progress.unknown)}"]
    step = next_step(progress, root)
    where = step.href(start or root) if root is not None else None
    lines += ["", f"Next: {step.text}" + (f" - {where}" if where else "")]
    return "\n".join(lines) + "\n"
