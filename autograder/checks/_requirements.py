"""Requirements that say what a project needs: the right names, sound specifiers.

The ``requirements-spec`` check reads a requirements text that the answer
module holds as a string constant (option ``constant``, such as ``RUNTIME``)
and parses it as pip reads a requirements file without options: one PEP 508
requirement per line, blank lines and ``#`` comments (a whole line, or from a
``#`` that follows whitespace) skipped. Each requirement is parsed with
:class:`packaging.requirements.Requirement`; names are compared after
:func:`packaging.utils.canonicalize_name`, so ``python_dateutil``,
``Python-DateUtil`` and ``python.dateutil`` are one distribution.

What the text must say is data, read from the graded cell's body as literal
lists (public above the hidden-tests marker, extended with ``+=`` below it)::

    NEEDED = [
        {
            "name": "requests",             # the distribution
            "imports": ["requests"],        # the project's imports it gives
            "admits": ["2.32.0", "2.40.0"], # versions that must be allowed
            "excludes": ["2.31.0", "3.0.0"],# versions that must not
            "python": {"3.10": True, "3.11": False},  # optional: where the
        },                                  # marker must install it
    ]
    NOT_HERE = [
        ("pytest", "a test tool, which belongs in DEV"),
    ]

A version is *admitted* when the combined specifiers of every line naming
the distribution contain it, pre-releases allowed
(``SpecifierSet.contains(version, prereleases=True)``), so a lone
``3.0.0rc1`` in ``excludes`` tests that the upper bound keeps out the next
major's pre-releases (PEP 440 does that for ``<3``). ``python`` maps Python
versions (``python_version``) to whether the line's marker must hold there;
a line without a marker holds everywhere.

The score has one unit per needed distribution and one for *nothing else*:

- a distribution's unit is the share of its aspects that are right —
  admits, excludes and (when declared) the marker — and nothing when no
  line names it (a line that names one of its *imports* instead, such as
  ``yaml`` for ``PyYAML``, is said to be an import name);
- the *nothing else* unit is lost by a duplicate name, a name of
  ``NOT_HERE`` (with its reason) and, at grading only (when the cell has
  its hidden part, so the lists are complete), any name the lists do not
  expect; a text that names none of the needed distributions (an empty
  one, say) does not earn it either.

A line that does not parse scores nothing at all: pip refuses the whole
file. The feedback points at the line of the answer cell that holds the
requirement, and names a hidden distribution only by the imports it
provides, never by its name (``imports`` is optional: a tool that nothing
imports, such as a linter, is named by its own name, which the exercise's
instructions give anyway).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from packaging.markers import UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._pytest import _import_answer
from autograder.checks._security import Case, clip, forget, malformed, read_cases
from autograder.checks._singleton_race import definition_line
from autograder.feedback import Finding, Location, make_finding

COMMENT = re.compile(r"(^|\s)#.*$")
"""A comment, as pip strips it from a requirements line."""


@dataclass(frozen=True)
class Line:
    """One requirement of a requirements text.

    Attributes:
        number: 1-based line of the text.
        text: The requirement, without comment and surrounding space.
    """

    number: int
    text: str


def requirement_lines(text: str) -> list[Line]:
    """Take the requirements out of a requirements text, as pip reads it.

    Args:
        text: The text.

    Returns:
        Each non-empty line without its comment, with its line number.
    """
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        content = COMMENT.sub("", raw).strip()
        if content:
            lines.append(Line(number, content))
    return lines


def cell_lines(source: str, constant: str, text: str) -> dict[int, int]:
    """Map lines of a string constant's text to lines of the answer cell.

    The constant is found as a top-level assignment; each text line is
    looked for, in order, among the cell lines its literal spans. A line that
    cannot be found (the text was built some other way) maps to the line of
    the assignment.

    Args:
        source: The answer's text.
        constant: The constant's name.
        text: The constant's value.

    Returns:
        For each text line (1-based), the cell line that shows it.
    """
    start = definition_line(source, constant)
    if start is None:
        return {}
    end = start
    try:
        for node in ast.parse(source).body:
            if node.lineno == start and node.end_lineno is not None:
                end = node.end_lineno
    except SyntaxError:
        return {}
    shown = source.splitlines()
    mapping: dict[int, int] = {}
    cursor = start
    for number, raw in enumerate(text.splitlines(), start=1):
        mapping[number] = start
        wanted = raw.strip()
        if not wanted:
            continue
        for cell_line in range(cursor, min(end, len(shown)) + 1):
            if wanted in shown[cell_line - 1]:
                mapping[number] = cursor = cell_line
                break
    return mapping


@dataclass(frozen=True)
class Needed:
    """A distribution the text must name, and what its specifiers must say.

    Attributes:
        name: The distribution's name.
        imports: The project's imports it provides.
        admits: Versions its specifiers must allow.
        excludes: Versions they must not.
        python: Python versions mapped to whether its marker must hold.
        hidden: Whether the learner must not see its name.
    """

    name: str
    imports: tuple[str, ...]
    admits: tuple[str, ...]
    excludes: tuple[str, ...]
    python: tuple[tuple[str, bool], ...]
    hidden: bool

    @property
    def key(self) -> NormalizedName:
        """The canonical name."""
        return canonicalize_name(self.name)

    def shown(self) -> str:
        """Name it in feedback without revealing a hidden one."""
        provides = ", ".join(f"`{name}`" for name in self.imports)
        if not provides:
            return f"`{self.name}`"
        if self.hidden:
            return f"the distribution that provides {provides}"
        return f"`{self.name}` (import {provides})"


def _needed(case: Case) -> Needed:
    value = case.value
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ValueError("each of NEEDED must be a dict with a 'name'")  # noqa: TRY004
    unknown = set(value) - {"name", "imports", "admits", "excludes", "python"}
    if unknown:
        raise ValueError(f"NEEDED {value['name']}: unknown keys {sorted(unknown)}")
    versions = [*value.get("admits", []), *value.get("excludes", [])]
    try:
        for version in versions:
            Version(version)
    except (InvalidVersion, TypeError) as error:
        raise ValueError(f"NEEDED {value['name']}: {error}") from error
    python = value.get("python", {})
    return Needed(
        name=value["name"],
        imports=tuple(value.get("imports", [])),
        admits=tuple(value.get("admits", [])),
        excludes=tuple(value.get("excludes", [])),
        python=tuple((str(k), bool(v)) for k, v in python.items()),
        hidden=case.hidden,
    )


def _not_here(case: Case) -> tuple[NormalizedName, str]:
    value = case.value
    if not (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(part, str) for part in value)
    ):
        raise ValueError("each of NOT_HERE must be a pair (name, reason)")
    return canonicalize_name(value[0]), value[1]


@dataclass(frozen=True)
class Parsed:
    """A requirement line that parsed.

    Attributes:
        line: Where it is.
        requirement: What it says.
    """

    line: Line
    requirement: Requirement

    @property
    def key(self) -> NormalizedName:
        """The canonical name."""
        return canonicalize_name(self.requirement.name)


def marker_holds(requirement: Requirement, python: str) -> bool:
    """Tell whether a requirement's marker holds on a Python version.

    Args:
        requirement: The requirement.
        python: A ``python_version`` such as ``3.10``.

    Returns:
        True when there is no marker, or it holds there.
    """
    if requirement.marker is None:
        return True
    environment = {"python_version": python, "python_full_version": f"{python}.0"}
    try:
        return requirement.marker.evaluate(environment)
    except UndefinedEnvironmentName:
        return False


@dataclass(frozen=True)
class _Material:
    """What the graded cell says the text must hold.

    Attributes:
        needed: The distributions it must name.
        not_here: Names it must not hold, each with the reason.
        complete: Whether these are all (at grading), so that any other name
            is unexpected.
    """

    needed: list[Needed]
    not_here: dict[NormalizedName, str]
    complete: bool


class _Judge:
    """Compare what the text says with what is needed, finding by finding."""

    def __init__(self, constant: str, answer: Answer, text: str) -> None:
        self.constant = constant
        self.answer = answer
        self.places = cell_lines(answer.source, constant, text)
        self.findings: list[Finding] = []

    def at(self, line: Line | None) -> Location:
        if line is None:
            return self.answer.at(definition_line(self.answer.source, self.constant))
        return self.answer.at(self.places.get(line.number))

    def add(self, finding_id: str, where: Line | None, **fields: object) -> None:
        self.findings.append(
            make_finding(finding_id, self.at(where), constant=self.constant, **fields)
        )

    def distribution(self, needed: Needed, lines: list[Parsed]) -> float:
        """Judge the lines that name one needed distribution; return its unit."""
        specifier = SpecifierSet()
        for parsed in lines:
            specifier &= parsed.requirement.specifier
        first = lines[0].line
        shown = "; ".join(f"`{p.line.text}`" for p in lines)
        aspects: list[bool] = []
        if needed.admits:
            refused = [v for v in needed.admits if not _admits(specifier, v)]
            aspects.append(not refused)
            if refused:
                self.add(
                    "dependencies.refuses-needed",
                    first,
                    requirement=clip(shown),
                    versions=_listed(refused),
                    what=needed.shown(),
                )
        if needed.excludes:
            admitted = [v for v in needed.excludes if _admits(specifier, v)]
            aspects.append(not admitted)
            if admitted:
                self.add(
                    "dependencies.admits-excluded",
                    first,
                    requirement=clip(shown),
                    versions=_listed(admitted),
                    what=needed.shown(),
                )
        if needed.python:
            wrong = [
                python
                for python, holds in needed.python
                if any(marker_holds(p.requirement, python) != holds for p in lines)
            ]
            aspects.append(not wrong)
            if wrong:
                wanted = ", ".join(
                    f"Python {python}: {'yes' if holds else 'no'}"
                    for python, holds in needed.python
                )
                self.add(
                    "dependencies.wrong-marker",
                    first,
                    requirement=clip(shown),
                    pythons=", ".join(wrong),
                    wanted=wanted,
                )
        return sum(aspects) / len(aspects) if aspects else 1.0


def _admits(specifier: SpecifierSet, version: str) -> bool:
    return specifier.contains(version, prereleases=True)


def _listed(versions: Iterable[str]) -> str:
    return ", ".join(versions)


@register_check
class RequirementsSpecCheck(Check):
    """Parse a requirements text of the answer; judge names and specifiers.

    The score is the share of units earned: one per needed distribution and
    one for naming nothing else (see the module's docstring).

    Options:
        constant: The answer's string constant that holds the requirements
            text, such as ``"RUNTIME"`` (required).
    """

    kind = "requirements-spec"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.constant = parsed.text("constant")
        parsed.finish()
        if not self.constant.isidentifier():
            raise ValueError("requirements-spec option 'constant' must be a name")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"{self.constant}: names and specifiers (packaging)"

    def run(self, context: CheckContext) -> CheckResult:
        """Read the constant, parse its lines, compare them with the material.

        Args:
            context: The answer and the graded cell, which holds the material.

        Returns:
            The share earned and what is wrong, line by line.
        """
        try:
            cases = read_cases(
                context.tests, {"NEEDED": "needed", "NOT_HERE": "not here"}
            )
            needed = [_needed(case) for case in cases["NEEDED"]]
            not_here = dict(_not_here(case) for case in cases["NOT_HERE"])
        except ValueError as error:
            return malformed(self.label, error)
        complete = context.tests is not None and context.tests.hidden_from is not None
        answer = context.answer
        crashed = _import_answer(answer)
        if crashed is not None:
            forget(answer)
            return CheckResult(0.0, (crashed,))
        module: ModuleType = sys.modules[answer.spec.module]
        text = getattr(module, self.constant, None)
        forget(answer)
        if not isinstance(text, str):
            judge = _Judge(self.constant, answer, "")
            judge.add("dependencies.not-text", None, found=type(text).__name__)
            return CheckResult(0.0, tuple(judge.findings))
        material = _Material(needed, not_here, complete)
        return self._judge(_Judge(self.constant, answer, text), text, material)

    def _judge(self, judge: _Judge, text: str, material: _Material) -> CheckResult:
        parsed: list[Parsed] = []
        for line in requirement_lines(text):
            try:
                parsed.append(Parsed(line, Requirement(line.text)))
            except InvalidRequirement as error:
                reason = str(error).splitlines()[0]
                judge.add(
                    "dependencies.invalid", line, text=clip(line.text), error=reason
                )
        if judge.findings:
            return CheckResult(0.0, tuple(judge.findings))
        by_name: dict[NormalizedName, list[Parsed]] = {}
        for requirement in parsed:
            by_name.setdefault(requirement.key, []).append(requirement)
        earned = 0.0
        imports: dict[NormalizedName, Needed] = {}
        for needed in material.needed:
            lines = by_name.get(needed.key)
            if lines:
                earned += judge.distribution(needed, lines)
                continue
            provided = {canonicalize_name(name) for name in needed.imports}
            imports.update(dict.fromkeys(provided, needed))
            if not provided & set(by_name):
                judge.add("dependencies.missing", None, what=needed.shown())
        if any(needed.key in by_name for needed in material.needed):
            earned += _nothing_else(judge, by_name, material, imports)
        else:
            _nothing_else(judge, by_name, material, imports)
        if not judge.findings:
            judge.add("dependencies.sound", None, count=len(parsed))
        return CheckResult(earned / (len(material.needed) + 1), tuple(judge.findings))


def _nothing_else(
    judge: _Judge,
    by_name: dict[NormalizedName, list[Parsed]],
    material: _Material,
    imports: dict[NormalizedName, Needed],
) -> float:
    """Report duplicates and names that do not belong; return the unit."""
    expected = {needed.key for needed in material.needed}
    clean = True
    for key, lines in by_name.items():
        first = lines[0]
        for again in lines[1:]:
            clean = False
            judge.add(
                "dependencies.duplicate",
                again.line,
                name=key,
                first=judge.places.get(first.line.number, first.line.number),
            )
        name = first.requirement.name
        if key in expected:
            continue
        if key in imports:
            judge.add(
                "dependencies.import-name",
                first.line,
                name=name,
                what=imports[key].shown(),
            )
        elif key in material.not_here:
            clean = False
            judge.add(
                "dependencies.not-here",
                first.line,
                name=name,
                reason=material.not_here[key],
            )
        elif material.complete:
            clean = False
            judge.add("dependencies.unexpected", first.line, name=name)
    return 1.0 if clean else 0.0
