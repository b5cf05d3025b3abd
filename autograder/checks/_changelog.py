"""A changelog entry in the form of Keep a Changelog (keepachangelog.com).

The document is read with markdown-it-py: each level-2 heading is a release,
``[Unreleased]`` or ``[1.3.0] - 2024-05-14`` (a Semantic Version in brackets,
a dash, an ISO date), newest first; under it, level-3 sections named Added,
Changed, Deprecated, Removed, Fixed or Security, each a list of changes.
Only a heading's own text is matched against that pattern; the document's
structure comes from the parser.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._markdown import Document, Heading, Section, parse_markdown
from autograder.feedback import Finding, make_finding

KINDS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
"""The section names Keep a Changelog allows, in its order."""

SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
)
RELEASE = re.compile(r"\[(?P<version>[^\]]+)\] - (?P<date>\S+)")
"""A release heading's text: ``[1.3.0] - 2024-05-14`` (links resolved or not)."""


@dataclass(frozen=True)
class Expected:
    """A change the entry must list, under one of some sections.

    Attributes:
        sections: Where it may go (``("Added",)``; a change that is both a
            fix and a change of behaviour may go under either).
        words: Any of these, case-insensitive, names the change.
    """

    sections: tuple[str, ...]
    words: tuple[str, ...]

    @classmethod
    def parse(cls, declared: str) -> Expected:
        """Read ``"Added: parse_price|parse"`` or ``"Fixed|Changed: round"``.

        Args:
            declared: Sections separated by ``|``, a colon, and words
                separated by ``|``.

        Returns:
            The expectation.

        Raises:
            ValueError: It is not in that form.
        """
        sections, _, words = declared.partition(":")
        where = tuple(s.strip() for s in sections.split("|") if s.strip())
        choices = tuple(w.strip() for w in words.split("|") if w.strip())
        if not where or not set(where) <= set(KINDS) or not choices:
            raise ValueError(f"changelog-entry expect {declared!r}: 'Section: words'")
        return cls(where, choices)

    @property
    def section(self) -> str:
        """Where the change belongs, in words: ``Fixed`` (or ``Changed``)."""
        others = ", ".join(f"`{name}`" for name in self.sections[1:])
        return f"`{self.sections[0]}`" + (f" (or {others})" if others else "")


def release_problem(heading: Heading) -> str | None:
    """Say what is wrong with a release heading, if anything.

    Args:
        heading: A level-2 heading of the changelog.

    Returns:
        ``None`` when it is ``[Unreleased]`` or ``[x.y.z] - YYYY-MM-DD``.
    """
    title = heading.title.strip()
    if title.casefold() == "[unreleased]":
        return None
    match = RELEASE.fullmatch(title)
    if match is None:
        return "is not in the form `[x.y.z] - YYYY-MM-DD`"
    if not SEMVER.fullmatch(match["version"]):
        return f"has `{match['version']}`, which is not a version x.y.z"
    try:
        datetime.date.fromisoformat(match["date"])
    except ValueError:
        return f"has `{match['date']}`, which is not a date YYYY-MM-DD"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", match["date"]):
        return f"has `{match['date']}`, which is not a date YYYY-MM-DD"
    return None


def _words_in(section: Section, words: tuple[str, ...]) -> bool:
    text = " ".join(block.text for block in section.blocks).casefold()
    return any(word.casefold() in text for word in words)


@register_check
class ChangelogEntryCheck(Check):
    """The entry for a release, in Keep a Changelog form, listing its changes.

    Four equal parts: the release headings' form (``[x.y.z] - YYYY-MM-DD``,
    newest first, this version's entry before older ones); section names
    from Keep a Changelog only; every section a non-empty list; each
    expected change listed under its section, with no internal detail
    (each missing, misplaced or internal item costs an equal share of this
    part). With no entry for ``version`` at all, nothing counts.

    Options:
        version: The version being released (the package's ``__version__``).
        expect: Changes the entry must list, each ``"Section: word|word"``
            (several sections: ``"Fixed|Changed: word"``).
        leave_out: Words of internal changes (a refactoring, a typo in the
            tests) that a user's changelog does not mention.
    """

    kind = "changelog-entry"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.version: str = parsed.text("version")
        self.expect = tuple(
            Expected.parse(text) for text in parsed.text_list("expect", [])
        )
        self.leave_out = parsed.text_list("leave_out", [])
        parsed.finish()
        if not SEMVER.fullmatch(self.version):
            raise ValueError(f"changelog-entry version {self.version!r} is not x.y.z")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "changelog entry (Keep a Changelog)"

    def run(self, context: CheckContext) -> CheckResult:
        """Read the changelog and judge the release's entry.

        Args:
            context: The answer.

        Returns:
            The share of the four parts satisfied.
        """
        doc = parse_markdown(context.answer.source)
        releases = [h for h in doc.headings if h.level == 2]
        entry = next((h for h in releases if self._names_version(h)), None)
        if entry is None:
            found = ", ".join(f"`{h.title}`" for h in releases) or "none"
            finding = make_finding(
                "docs.changelog-no-entry", version=self.version, found=found
            )
            return CheckResult(0.0, (finding,))
        section = doc.section(entry)
        parts = [
            self._form(releases, entry, context),
            self._names(doc, section, context),
            self._filled(doc, section, context),
        ]
        share, missing = self._changes(doc, section, context)
        findings = [f for part in parts for f in part]
        findings += missing
        score = sum(not part for part in parts) + share
        if not findings:
            findings.append(make_finding("docs.changelog-good", version=self.version))
        return CheckResult(score / 4, tuple(findings))

    def _names_version(self, heading: Heading) -> bool:
        pattern = rf"(?<![\w.]){re.escape(self.version)}(?![\w.])"
        return re.search(pattern, heading.title) is not None

    def _form(
        self, releases: list[Heading], entry: Heading, context: CheckContext
    ) -> list[Finding]:
        findings = []
        for heading in releases:
            problem = release_problem(heading)
            if problem is not None:
                findings.append(
                    make_finding(
                        "docs.changelog-heading",
                        context.answer.at(heading.line),
                        title=heading.title,
                        problem=problem,
                    )
                )
        older = [
            h
            for h in releases[: releases.index(entry)]
            if h.title.strip().casefold() != "[unreleased]"
        ]
        if older:
            findings.append(
                make_finding(
                    "docs.changelog-not-newest-first",
                    context.answer.at(older[0].line),
                    title=older[0].title,
                    version=self.version,
                )
            )
        return findings

    def _kinds(self, doc: Document, section: Section) -> list[Section]:
        return [doc.section(h) for h in section.subheadings if h.level == 3]

    def _names(
        self, doc: Document, section: Section, context: CheckContext
    ) -> list[Finding]:
        kinds = self._kinds(doc, section)
        if not kinds:
            return [
                make_finding(
                    "docs.changelog-no-sections",
                    context.answer.at(section.heading.line),
                )
            ]
        allowed = {kind.casefold(): kind for kind in KINDS}
        return [
            make_finding(
                "docs.changelog-section-name",
                context.answer.at(kind.heading.line),
                name=kind.heading.title,
            )
            for kind in kinds
            if kind.heading.title.strip().casefold() not in allowed
        ]

    def _filled(
        self, doc: Document, section: Section, context: CheckContext
    ) -> list[Finding]:
        kinds = self._kinds(doc, section) or [section]
        return [
            make_finding(
                "docs.changelog-section-empty",
                context.answer.at(kind.heading.line),
                name=kind.heading.title,
            )
            for kind in kinds
            if not any(block.kind == "item" for block in kind.blocks)
        ]

    def _changes(
        self, doc: Document, section: Section, context: CheckContext
    ) -> tuple[float, list[Finding]]:
        """Each expected change under its section; no internal detail."""
        kinds = self._kinds(doc, section) or [section]
        findings = [self._expected(e, section, kinds, context) for e in self.expect]
        found = [f for f in findings if f is not None]
        for word in self.leave_out:
            block = next(
                (b for b in section.blocks if word.casefold() in b.text.casefold()),
                None,
            )
            if block is not None:
                found.append(
                    make_finding(
                        "docs.changelog-internal",
                        context.answer.at(block.line),
                        word=word,
                    )
                )
        if not self.expect:
            return (0.0 if found else 1.0), found
        return max(0.0, 1 - len(found) / len(self.expect)), found

    def _expected(
        self,
        expected: Expected,
        entry: Section,
        kinds: list[Section],
        context: CheckContext,
    ) -> Finding | None:
        homes = {name.casefold() for name in expected.sections}
        if any(
            kind.heading.title.strip().casefold() in homes
            and _words_in(kind, expected.words)
            for kind in kinds
        ):
            return None
        words = " or ".join(f"`{word}`" for word in expected.words)
        elsewhere = next((k for k in kinds if _words_in(k, expected.words)), None)
        if elsewhere is not None and elsewhere is not entry:
            return make_finding(
                "docs.changelog-change-misplaced",
                context.answer.at(elsewhere.heading.line),
                words=words,
                found=elsewhere.heading.title,
                section=expected.section,
            )
        return make_finding(
            "docs.changelog-change-missing",
            context.answer.at(entry.heading.line),
            words=words,
            section=expected.section,
        )
