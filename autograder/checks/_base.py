"""The interface every check implements, and the registry of check kinds.

A check looks at one answer (and, for tests, the test cell's code) in a scratch
folder and returns the fraction of its points earned plus findings. Which
checks a graded cell runs, with which options, is data in ``exercise.toml``;
this module only maps a ``kind`` to its class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from autograder._settings import Settings
from autograder.feedback import Finding, Location
from autograder.spec import AnswerSpec


@dataclass(frozen=True)
class Answer:
    """A learner's answer cell, written out as an importable module.

    Attributes:
        spec: What the exercise declares about the cell.
        source: The cell's text, as the learner wrote it.
        path: The module file in the scratch folder.
    """

    spec: AnswerSpec
    source: str
    path: Path

    def at(self, line: int | None, column: int | None = None) -> Location:
        """Point into the learner's cell.

        Args:
            line: 1-based line in the module, which is the line in the cell.
            column: 1-based column, if known.

        Returns:
            The location in the learner's words.
        """
        return Location(self.spec.grade_id, self.spec.label, line, column)


@dataclass(frozen=True)
class TestCode:
    """The test code of a graded cell.

    Attributes:
        cell: Grade id of the test cell.
        source: Python source of the tests (the cell without its first line).
        line_offset: Add to a line of ``source`` to get the line in the cell.
        hidden_from: First line of ``source`` that is a hidden test, if any.
    """

    cell: str
    source: str
    line_offset: int = 1
    hidden_from: int | None = None

    def is_hidden(self, line: int) -> bool:
        """Tell whether a line of the source belongs to the hidden tests.

        Args:
            line: 1-based line of ``source``.

        Returns:
            True when the learner must not see that line.
        """
        return self.hidden_from is not None and line >= self.hidden_from

    def at(self, line: int | None) -> Location:
        """Point into the test cell.

        Args:
            line: 1-based line of ``source``.

        Returns:
            The location in the learner's words.
        """
        cell_line = None if line is None else line + self.line_offset
        return Location(self.cell, "the tests", cell_line)


@dataclass(frozen=True)
class CheckContext:
    """What a check may look at.

    Attributes:
        workdir: A scratch folder of its own, holding the answer modules.
        answer: The answer the check is declared on.
        answers: Every answer of the job by grade id (the declared one too),
            for checks that relate two cells, such as tests and implementation.
        tests: The graded cell's test code, if it has any.
        settings: The engine's settings.
        on_event: Called with progress notes (``{"test": name}``) so that a
            timeout can say where the learner's code was.
    """

    workdir: Path
    answer: Answer
    answers: dict[str, Answer]
    tests: TestCode | None
    settings: Settings
    on_event: Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class CheckResult:
    """What a check found.

    Attributes:
        fraction: Share of the check's points earned, from 0 to 1.
        findings: What it found.
    """

    fraction: float
    findings: tuple[Finding, ...]


class Options:
    """Typed access to a check's declared options, rejecting unknown keys.

    Args:
        kind: The check kind, for messages.
        raw: The options as declared.
    """

    def __init__(self, kind: str, raw: Mapping[str, Any]) -> None:
        """Wrap the declared options."""
        self._kind = kind
        self._raw = dict(raw)
        self._used: set[str] = set()

    def _get(self, key: str, default: object, expected: type | tuple[type, ...]) -> Any:
        self._used.add(key)
        value = self._raw.get(key, default)
        if not isinstance(value, expected):
            raise ValueError(  # noqa: TRY004 - a bad declaration, not a bad call
                f"{self._kind} option {key!r} must be {expected}"
            )
        return value

    def text_list(self, key: str, default: list[str] | None = None) -> tuple[str, ...]:
        """Read a list of strings.

        Args:
            key: The option.
            default: Its value when absent; absent and no default is an error.

        Returns:
            The strings.

        Raises:
            ValueError: The option is missing or not a list of strings.
        """
        value = self._get(key, default, list)
        if not all(isinstance(item, str) for item in value):
            raise ValueError(f"{self._kind} option {key!r} must list strings")
        return tuple(value)

    def text(self, key: str, default: str | None = None) -> str:
        """Read a string.

        Args:
            key: The option.
            default: Its value when absent; absent and no default is an error.

        Returns:
            The string.

        Raises:
            ValueError: The option is missing or not a string.
        """
        value: str = self._get(key, default, str)
        return value

    def link(self, key: str = "link") -> str:
        """Read a lesson link, ``slug#Heading``, that overrides the catalogue's.

        Args:
            key: The option.

        Returns:
            The link, or an empty string when absent (keep the catalogue's).

        Raises:
            ValueError: It is not a string of the form ``slug#Heading``.
        """
        value = self.text(key, "")
        slug, hash_sign, heading = value.partition("#")
        if value and (not (slug and hash_sign and heading) or "#" in heading):
            raise ValueError(f"{self._kind} option {key!r} must be 'slug#Heading'")
        return value

    def number(self, key: str, default: float, minimum: float | None = None) -> float:
        """Read a number (an integer or a float), no smaller than a minimum.

        Args:
            key: The option.
            default: Its value when absent.
            minimum: The smallest value allowed, if any.

        Returns:
            The number, as a float.

        Raises:
            ValueError: It is not a number (a boolean is not), or too small.
        """
        value = self._get(key, default, (int, float))
        if isinstance(value, bool):
            message = f"{self._kind} option {key!r} must be a number"
            raise ValueError(message)  # noqa: TRY004 - a bad declaration
        if minimum is not None and value < minimum:
            raise ValueError(f"{self._kind} option {key!r} must be ≥ {minimum}")
        return float(value)

    def integer(self, key: str, default: int, minimum: int = 0) -> int:
        """Read an integer no smaller than a minimum.

        Args:
            key: The option.
            default: Its value when absent.
            minimum: The smallest value allowed.

        Returns:
            The integer.

        Raises:
            ValueError: It is not an integer, or too small.
        """
        value: int = self._get(key, default, int)
        if value < minimum:
            raise ValueError(f"{self._kind} option {key!r} must be ≥ {minimum}")
        return value

    def flag(self, key: str, *, default: bool) -> bool:
        """Read a boolean.

        Args:
            key: The option.
            default: Its value when absent.

        Returns:
            The boolean.
        """
        value: bool = self._get(key, default, bool)
        return value

    def finish(self) -> None:
        """Reject options the check does not know.

        Raises:
            ValueError: Some declared option was never read.
        """
        unknown = sorted(set(self._raw) - self._used)
        if unknown:
            raise ValueError(f"{self._kind} has no option(s) {', '.join(unknown)}")


class Check(ABC):
    """A check of one answer: one tool, one set of options.

    Subclasses set :attr:`kind`, parse their options in ``__init__`` (raising
    ``ValueError`` for bad ones) and implement :meth:`run`.
    """

    kind: ClassVar[str]
    """The name ``exercise.toml`` uses for it."""

    runs_learner_code: ClassVar[bool] = False
    """Whether it imports the answer (and so must run after static checks)."""

    @abstractmethod
    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse and validate the declared options.

        Args:
            options: The options as declared.
        """

    @property
    @abstractmethod
    def label(self) -> str:
        """Short description for the feedback, such as ``ruff E,W``."""

    @abstractmethod
    def run(self, context: CheckContext) -> CheckResult:
        """Run the check.

        Args:
            context: The answer, tests and settings to use.

        Returns:
            The fraction earned and the findings.
        """


CheckType = TypeVar("CheckType", bound=type[Check])

_REGISTRY: dict[str, type[Check]] = {}


def register_check(cls: CheckType) -> CheckType:
    """Class decorator: make a check available to ``exercise.toml`` by its kind.

    Args:
        cls: The check class.

    Returns:
        The same class.

    Raises:
        ValueError: Another class already uses that kind.
    """
    existing = _REGISTRY.get(cls.kind)
    if existing is not None and existing is not cls:
        raise ValueError(f"check kind {cls.kind!r} is taken by {existing.__name__}")
    _REGISTRY[cls.kind] = cls
    return cls


def check_types() -> dict[str, type[Check]]:
    """List the registered check kinds.

    Returns:
        Check classes by kind.
    """
    return dict(_REGISTRY)


def build_check(kind: str, options: Mapping[str, Any]) -> Check:
    """Instantiate a check from its declaration.

    Args:
        kind: The declared kind.
        options: The declared options.

    Returns:
        The check.

    Raises:
        ValueError: The kind is unknown or an option is invalid.
    """
    cls = _REGISTRY.get(kind)
    if cls is None:
        raise ValueError(f"unknown check kind {kind!r}; known: {sorted(_REGISTRY)}")
    return cls(options)


def scaled(found: int, allowance: int) -> float:
    """Partial credit that falls linearly to zero at ``allowance`` findings.

    Args:
        found: How many findings remain.
        allowance: How many findings cost all the points.

    Returns:
        The fraction of points earned.
    """
    return max(0.0, 1.0 - found / allowance)
