"""Exceptions raised by the grading engine.

Every error the engine raises on purpose derives from :class:`AutograderError`,
so a caller can catch the whole family in one place::

    AutograderError
    ├── ConfigError             a setting has a value the engine cannot use
    ├── SpecError               an exercise declaration is missing or malformed
    ├── NotebookError           a notebook cannot be read or lacks a required cell
    │   └── CellNotFoundError   no cell carries the grade id asked for
    ├── WorkerError             the grading worker died or answered nonsense
    ├── BuildError              regenerating exercises from solutions failed
    └── ProgressError           the progress store or a progress file is unusable

A learner's mistake is never one of these: it becomes a finding in the feedback.
These are for the course's own faults (a broken spec, an unreadable file).
"""

from __future__ import annotations

from pathlib import Path


class AutograderError(Exception):
    """Base class of every error the grading engine raises on purpose."""


class ConfigError(AutograderError):
    """A setting has a value the engine cannot use.

    Attributes:
        name: The setting's name, as the user would write it.
        value: The offending value, as given.
    """

    def __init__(self, name: str, value: str, reason: str) -> None:
        """Build the error.

        Args:
            name: The setting's name, as the user would write it.
            value: The offending value, as given.
            reason: What is wrong with it and what would be accepted.
        """
        super().__init__(f"setting {name}={value!r}: {reason}")
        self.name = name
        self.value = value


class SpecError(AutograderError):
    """An exercise declaration (``exercise.toml``) is missing or malformed.

    Attributes:
        path: The declaration file.
        key: The dotted key at fault, or ``""`` for the whole file.
    """

    def __init__(self, path: Path, key: str, reason: str) -> None:
        """Build the error.

        Args:
            path: The declaration file.
            key: The dotted key at fault, or ``""`` for the whole file.
            reason: What is wrong and what is expected instead.
        """
        where = f"{path}: {key}" if key else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.key = key


class NotebookError(AutograderError):
    """A notebook cannot be read, or is not shaped as the exercise expects.

    Attributes:
        path: The notebook file.
    """

    def __init__(self, path: Path, reason: str) -> None:
        """Build the error.

        Args:
            path: The notebook file.
            reason: What is wrong with it.
        """
        super().__init__(f"{path}: {reason}")
        self.path = path


class CellNotFoundError(NotebookError):
    """No cell of the notebook carries the nbgrader grade id asked for.

    Attributes:
        grade_id: The grade id that was looked for.
    """

    def __init__(self, path: Path, grade_id: str) -> None:
        """Build the error.

        Args:
            path: The notebook file.
            grade_id: The grade id that was looked for.
        """
        super().__init__(path, f"no cell with grade id {grade_id!r}")
        self.grade_id = grade_id


class WorkerError(AutograderError):
    """The grading worker process died or answered something unreadable."""


class BuildError(AutograderError):
    """Regenerating ``exercises/`` from ``solutions/`` failed.

    Attributes:
        assignment: The assignment being built.
    """

    def __init__(self, assignment: str, reason: str) -> None:
        """Build the error.

        Args:
            assignment: The assignment being built.
            reason: What went wrong.
        """
        super().__init__(f"{assignment}: {reason}")
        self.assignment = assignment


class ProgressError(AutograderError):
    """The progress store or a progress file cannot be used.

    Attributes:
        path: The store or file at fault.
    """

    def __init__(self, path: Path, reason: str) -> None:
        """Build the error.

        Args:
            path: The store or file at fault.
            reason: What is wrong and what the learner can do about it.
        """
        super().__init__(f"{path}: {reason}")
        self.path = path
