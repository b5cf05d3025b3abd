"""The data an exercise declares in its ``exercise.toml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANSWER_FORMATS = {"python": ".py", "markdown": ".md"}
"""What an answer cell may hold, and the file suffix it is written with."""


@dataclass(frozen=True)
class AnswerSpec:
    """An answer cell: the learner's code, graded as a Python module.

    An answer declared ``format = "markdown"`` is a Markdown cell instead (a
    document such as a README): it is never parsed as Python, and checks read
    its text.

    Attributes:
        grade_id: The cell's nbgrader grade id.
        module: The module name tests import it as (``import inventory``);
            for a Markdown answer, the stem of the file it is written to.
        label: How the feedback names the cell to the learner.
        defines: Top-level names the exercise's contract requires.
        format: ``"python"`` (the default) or ``"markdown"``.
    """

    grade_id: str
    module: str
    label: str
    defines: tuple[str, ...] = ()
    format: str = "python"

    @property
    def is_markdown(self) -> bool:
        """Whether the answer is a Markdown document rather than code."""
        return self.format == "markdown"

    @property
    def filename(self) -> str:
        """The file the answer is written to in a check's scratch folder."""
        return self.module + ANSWER_FORMATS.get(self.format, ".py")


@dataclass(frozen=True)
class CheckSpec:
    """One check of a graded cell, as declared.

    Attributes:
        kind: Which check class runs it (``ruff``, ``mypy``, ``pytest`` …).
        points: Points it is worth.
        answer: Grade id of the answer cell it looks at.
        options: The check's own settings, validated by the check class.
    """

    kind: str
    points: float
    answer: str
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Turn the declaration into JSON-able data.

        Returns:
            A dictionary :meth:`from_dict` reads back.
        """
        return {
            "kind": self.kind,
            "points": self.points,
            "answer": self.answer,
            "options": self.options,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckSpec:
        """Rebuild a declaration from :meth:`to_dict` output.

        Args:
            data: The dictionary.

        Returns:
            The declaration.
        """
        return cls(
            kind=data["kind"],
            points=float(data["points"]),
            answer=data["answer"],
            options=dict(data["options"]),
        )


@dataclass(frozen=True)
class CellSpec:
    """A graded test cell and the checks that make up its points.

    Attributes:
        grade_id: The test cell's nbgrader grade id.
        title: What the cell checks, in the learner's words.
        checks: The checks, run in order.
        hidden_tests: Whether grading adds tests the released cell does not show.
    """

    grade_id: str
    title: str
    checks: tuple[CheckSpec, ...]
    hidden_tests: bool = False

    @property
    def points(self) -> float:
        """Points the cell is worth: the sum of its checks'."""
        return sum(check.points for check in self.checks)


@dataclass(frozen=True)
class ExerciseSpec:
    """Everything an exercise declares.

    Attributes:
        path: The ``exercise.toml`` it was read from.
        id: Exercise id, the assignment's name (``01_pep8``).
        title: The exercise's title.
        notebook: File name of the exercise notebook, beside the declaration.
        lesson: Slug of the lesson that teaches it (``01_pep8``).
        answers: Answer cells by grade id.
        cells: Graded test cells by grade id, in declaration order.
    """

    path: Path
    id: str
    title: str
    notebook: str
    lesson: str
    answers: dict[str, AnswerSpec]
    cells: dict[str, CellSpec]

    @property
    def directory(self) -> Path:
        """The folder holding the declaration and the notebook."""
        return self.path.parent

    @property
    def notebook_path(self) -> Path:
        """The exercise notebook beside the declaration."""
        return self.directory / self.notebook

    @property
    def points(self) -> float:
        """Points the whole exercise is worth."""
        return sum(cell.points for cell in self.cells.values())
