"""Findings: what a check found, as data that any renderer can show."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a finding matters to the learner, most urgent first."""

    ESSENTIAL = "essential"
    ACTIONABLE = "actionable"
    INFORMATIVE = "informative"
    CELEBRATORY = "celebratory"

    @property
    def rank(self) -> int:
        """Sort key: essential findings come first."""
        return list(Severity).index(self)


@dataclass(frozen=True)
class Location:
    """Where in the learner's own notebook a finding points.

    Attributes:
        cell: The grade id of the cell (an answer cell or a test cell).
        label: How the learner knows the cell ("your module", "the tests").
        line: 1-based line within that cell, if known.
        column: 1-based column within that line, if known.
    """

    cell: str
    label: str
    line: int | None = None
    column: int | None = None

    def describe(self) -> str:
        """Say where this is, in the learner's words.

        Returns:
            For example ``"your module (cell `inventory`), line 3"``.
        """
        text = f"{self.label} (cell `{self.cell}`)"
        if self.line is not None:
            text += f", line {self.line}"
        return text


@dataclass(frozen=True)
class Finding:
    """One thing a check found, with everything needed to act on it.

    Attributes:
        id: Stable catalogue id, such as ``style.E711`` or ``tests.failed``.
        severity: How much it matters.
        message: What was found, and what was expected instead.
        hint: How to fix it, or where to look.
        location: Where in the learner's notebook, if it has a place.
        link: Lesson section that teaches it, as ``lesson-slug#anchor``.
    """

    id: str
    severity: Severity
    message: str
    hint: str = ""
    location: Location | None = None
    link: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Turn the finding into plain JSON-able data.

        Returns:
            A dictionary that :meth:`from_dict` turns back into the finding.
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Rebuild a finding from :meth:`to_dict` output.

        Args:
            data: The dictionary.

        Returns:
            The finding.
        """
        location = data.get("location")
        return cls(
            id=data["id"],
            severity=Severity(data["severity"]),
            message=data["message"],
            hint=data.get("hint", ""),
            location=Location(**location) if location else None,
            link=data.get("link", ""),
        )
