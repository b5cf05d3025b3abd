"""Reports: the findings and points of one graded cell, and of a notebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from autograder.feedback._finding import Finding


class Mode(StrEnum):
    """Which tests a report covers."""

    PUBLIC = "public"
    """Only the tests the learner sees: the self-check of a released exercise."""

    GRADING = "grading"
    """Public and hidden tests: the instructor's notebook, or nbgrader grading."""


@dataclass(frozen=True)
class CheckOutcome:
    """What one check of a graded cell found, and the points it earned.

    Attributes:
        check: Short label of the check, such as ``ruff E4,E7 (79 columns)``.
        points: Points earned.
        max_points: Points available.
        findings: What the check found, most urgent first.
    """

    check: str
    points: float
    max_points: float
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Turn the outcome into JSON-able data.

        Returns:
            A dictionary that :meth:`from_dict` reads back.
        """
        return {
            "check": self.check,
            "points": self.points,
            "max_points": self.max_points,
            "findings": [finding.to_dict() for finding in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckOutcome:
        """Rebuild an outcome from :meth:`to_dict` output.

        Args:
            data: The dictionary.

        Returns:
            The outcome.
        """
        return cls(
            check=data["check"],
            points=float(data["points"]),
            max_points=float(data["max_points"]),
            findings=tuple(Finding.from_dict(item) for item in data["findings"]),
        )


@dataclass(frozen=True)
class CellReport:
    """The result of one graded test cell.

    Attributes:
        exercise: Exercise id, such as ``01_pep8``.
        cell: Grade id of the test cell.
        title: What the cell checks, in the learner's words.
        mode: Whether hidden tests were part of it.
        outcomes: One outcome per declared check.
        notes: Findings about the submission as a whole (not tied to a check).
        has_hidden_tests: Whether grading adds tests this cell does not show.
    """

    exercise: str
    cell: str
    title: str
    mode: Mode
    outcomes: tuple[CheckOutcome, ...]
    notes: tuple[Finding, ...] = ()
    has_hidden_tests: bool = False

    @property
    def score(self) -> float:
        """Points earned, rounded to hundredths."""
        return round(sum(outcome.points for outcome in self.outcomes), 2)

    @property
    def max_score(self) -> float:
        """Points available."""
        return round(sum(outcome.max_points for outcome in self.outcomes), 2)

    @property
    def passed(self) -> bool:
        """Whether every point was earned."""
        return self.score >= self.max_score

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding, notes first, most urgent first within each part."""
        found = [*self.notes]
        for outcome in self.outcomes:
            found.extend(outcome.findings)
        return tuple(sorted(found, key=lambda finding: finding.severity.rank))


@dataclass(frozen=True)
class NotebookReport:
    """The results of every graded cell of one notebook.

    Attributes:
        exercise: Exercise id.
        notebook: Path of the notebook, as given.
        cells: One report per graded test cell, in notebook order.
        errors: Problems that stopped a cell from being graded at all.
    """

    exercise: str
    notebook: str
    cells: tuple[CellReport, ...]
    errors: tuple[str, ...] = field(default=())

    @property
    def score(self) -> float:
        """Points earned over all cells."""
        return round(sum(cell.score for cell in self.cells), 2)

    @property
    def max_score(self) -> float:
        """Points available over all cells."""
        return round(sum(cell.max_score for cell in self.cells), 2)

    @property
    def passed(self) -> bool:
        """Whether every point of every cell was earned and nothing failed."""
        return not self.errors and all(cell.passed for cell in self.cells)
