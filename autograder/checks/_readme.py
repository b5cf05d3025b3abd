"""A README read as its user reads it: the sections, the facts, the form.

Three check kinds on a Markdown answer, all static (nothing runs):

- ``readme-sections``: a title, an overview, and each required section
  present and non-empty;
- ``readme-accuracy``: what the README says agrees with the package — the
  install command names the distribution, every environment variable the
  package reads is documented with its default (and none it does not read),
  and the license is the package's;
- ``markdown-lint``: a few of markdownlint's rules (MD001, MD024, MD025,
  MD040, MD041), so that the document renders and navigates well.

The facts (distribution, variables, license) are declared as data in
``exercise.toml``, beside the package they describe.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
    scaled,
)
from autograder.checks._markdown import (
    Block,
    Document,
    NameSet,
    Section,
    parse_markdown,
)
from autograder.feedback import Finding, make_finding

DEFAULT_SECTIONS = [
    "Installation|Install|Installing",
    "Usage|Examples|Quick start|Quickstart",
    "Configuration|Settings|Environment|Environment variables",
    "License|Licence|Licensing",
]


def _names(parsed: Options, key: str, default: str) -> NameSet:
    value: str = parsed.text(key, default)
    return NameSet.parse(value)


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@register_check
class ReadmeSectionsCheck(Check):
    """A README's title, overview and required sections, each non-empty.

    The score is the share of items present: the title (a level-1 heading),
    the overview (text right under the title, or a section named by
    ``overview``) and each section of ``sections``. A section counts when a
    heading of level 2 or deeper carries one of its names (case and
    punctuation ignored) and something other than headings stands under it.

    Options:
        sections: The required sections, each as accepted titles separated
            by ``|`` (``"Usage|Examples"``).
        overview: Accepted titles of an overview section (default
            ``"Overview|About|Introduction"``).
    """

    kind = "readme-sections"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.sections = tuple(
            NameSet.parse(text)
            for text in parsed.text_list("sections", DEFAULT_SECTIONS)
        )
        self.overview = _names(parsed, "overview", "Overview|About|Introduction")
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "README sections"

    def run(self, context: CheckContext) -> CheckResult:
        """Look for each required part of the README.

        Args:
            context: The answer.

        Returns:
            The share of parts present and non-empty.
        """
        answer = context.answer
        doc = parse_markdown(answer.source)
        findings: list[Finding] = []
        titles = [h for h in doc.headings if h.level == 1]
        if not titles:
            findings.append(make_finding("docs.readme-no-title", answer.at(1)))
        if not self._has_overview(doc):
            findings.append(
                make_finding(
                    "docs.readme-no-overview",
                    answer.at(titles[0].line if titles else None),
                    names=str(self.overview),
                )
            )
        for names in self.sections:
            section = doc.find(names, min_level=2)
            if section is None:
                findings.append(make_finding("docs.section-missing", names=str(names)))
            elif section.is_empty:
                findings.append(
                    make_finding(
                        "docs.section-empty",
                        answer.at(section.heading.line),
                        title=section.heading.title,
                    )
                )
        total = len(self.sections) + 2
        if not findings:
            done = make_finding("docs.sections-complete", count=total)
            return CheckResult(1.0, (done,))
        return CheckResult((total - len(findings)) / total, tuple(findings))

    def _has_overview(self, doc: Document) -> bool:
        section = doc.find(self.overview, min_level=2)
        if section is not None:
            return not section.is_empty
        first = next((h.line for h in doc.headings if h.level >= 2), doc.lines + 1)
        return any(b.kind == "paragraph" and b.line < first for b in doc.blocks)


def _requirement_name(word: str) -> str | None:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", word.strip("'\""))
    if match is None:
        return None
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def _install_commands(section: Section) -> list[tuple[Block, list[str]]]:
    """Find the lines of code blocks that install something, as words."""
    found = []
    for block in section.blocks:
        if not block.is_code:
            continue
        for line in block.text.splitlines():
            try:
                words = shlex.split(line.lstrip("$> "))
            except ValueError:
                words = line.split()
            if "install" in words or "add" in words:
                found.append((block, words))
    return found


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text) is not None


@register_check
class ReadmeAccuracyCheck(Check):
    """What a README says about installing, configuring and licensing is true.

    Items, each worth the same: the Installation section holds a code block
    whose install command names ``distribution``; each variable of
    ``environment`` is named in the Configuration section (half) with its
    default in the same paragraph, list item or table row (the other half);
    the License section names ``license``. Each variable the section names
    that starts with ``prefix`` but the package does not read takes an item
    away: documentation of a setting that does nothing misleads.

    Options:
        distribution: The name to ``pip install``.
        environment: ``"NAME=default"`` for each variable the package reads.
        license: The license's name or SPDX id, such as ``"MIT"``.
        prefix: Variables starting with it are the package's (default: the
            variables' common prefix up to an underscore).
        install_section, config_section, license_section: Accepted titles.
    """

    kind = "readme-accuracy"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.distribution = parsed.text("distribution")
        pairs = parsed.text_list("environment", [])
        self.environment = dict(pair.partition("=")[::2] for pair in pairs)
        self.license = parsed.text("license")
        names = sorted(self.environment)
        common = names[0][: names[0].find("_") + 1] if names else ""
        self.prefix = parsed.text("prefix", common)
        self.install = _names(parsed, "install_section", DEFAULT_SECTIONS[0])
        self.config = _names(parsed, "config_section", DEFAULT_SECTIONS[2])
        self.license_names = _names(parsed, "license_section", DEFAULT_SECTIONS[3])
        parsed.finish()
        if any(not name or not default for name, default in self.environment.items()):
            raise ValueError("readme-accuracy environment items are 'NAME=default'")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "README agrees with the package"

    def run(self, context: CheckContext) -> CheckResult:
        """Compare the README's facts with the declared ones.

        Args:
            context: The answer.

        Returns:
            The share of facts stated correctly.
        """
        doc = parse_markdown(context.answer.source)
        findings: list[Finding] = []
        earned = self._install(doc, context, findings)
        earned += self._environment(doc, context, findings)
        earned += self._license(doc, context, findings)
        total = 2 + len(self.environment)
        if not findings:
            done = make_finding("docs.accuracy-complete", count=total)
            return CheckResult(1.0, (done,))
        return CheckResult(max(0.0, earned / total), tuple(findings))

    def _install(
        self, doc: Document, context: CheckContext, findings: list[Finding]
    ) -> float:
        section = doc.find(self.install, min_level=2)
        if section is None:
            findings.append(
                make_finding("docs.install-missing", names=str(self.install))
            )
            return 0.0
        wanted = _requirement_name(self.distribution)
        commands = _install_commands(section)
        for _block, words in commands:
            if any(_requirement_name(word) == wanted for word in words):
                return 1.0
        if commands:
            block, words = commands[0]
            findings.append(
                make_finding(
                    "docs.install-wrong-name",
                    context.answer.at(block.code_line),
                    command=" ".join(words),
                    distribution=self.distribution,
                )
            )
        else:
            findings.append(
                make_finding(
                    "docs.install-no-command",
                    context.answer.at(section.heading.line),
                    distribution=self.distribution,
                )
            )
        return 0.0

    def _environment(
        self, doc: Document, context: CheckContext, findings: list[Finding]
    ) -> float:
        if not self.environment:
            return 0.0
        section = doc.find(self.config, min_level=2)
        if section is None:
            names = ", ".join(f"`{name}`" for name in self.environment)
            findings.append(
                make_finding(
                    "docs.config-missing", names=str(self.config), variables=names
                )
            )
            return 0.0
        earned = 0.0
        for name, default in self.environment.items():
            block = next((b for b in section.blocks if _mentions(b.text, name)), None)
            if block is None:
                findings.append(
                    make_finding(
                        "docs.env-undocumented",
                        context.answer.at(section.heading.line),
                        name=name,
                        default=default,
                    )
                )
            elif not _mentions(block.text.replace(name, ""), default):
                earned += 0.5
                findings.append(
                    make_finding(
                        "docs.env-no-default",
                        context.answer.at(block.line),
                        name=name,
                        default=default,
                    )
                )
            else:
                earned += 1.0
        return earned - self._unknown(section, context, findings)

    def _unknown(
        self, section: Section, context: CheckContext, findings: list[Finding]
    ) -> float:
        if not self.prefix:
            return 0.0
        pattern = re.compile(rf"(?<![\w]){re.escape(self.prefix)}[A-Z0-9_]+")
        seen: set[str] = set()
        for block in section.blocks:
            for name in pattern.findall(block.text):
                if name not in self.environment and name not in seen:
                    seen.add(name)
                    known = ", ".join(f"`{n}`" for n in self.environment)
                    findings.append(
                        make_finding(
                            "docs.env-unknown",
                            context.answer.at(block.line),
                            name=name,
                            known=known,
                        )
                    )
        return float(len(seen))

    def _license(
        self, doc: Document, context: CheckContext, findings: list[Finding]
    ) -> float:
        section = doc.find(self.license_names, min_level=2)
        if section is None or section.is_empty:
            findings.append(
                make_finding(
                    "docs.license-missing",
                    names=str(self.license_names),
                    license=self.license,
                )
            )
            return 0.0
        text = " ".join(block.text for block in section.blocks)
        if _mentions(text.casefold(), self.license.casefold()):
            return 1.0
        findings.append(
            make_finding(
                "docs.license-wrong",
                context.answer.at(section.blocks[0].line),
                found=_excerpt(text),
                license=self.license,
            )
        )
        return 0.0


@register_check
class MarkdownLintCheck(Check):
    """A few markdownlint rules that make a document render and navigate well.

    MD001 (heading levels go down one at a time), MD024 (no two sibling
    headings alike), MD025 (one title), MD040 (a fenced block names its
    language) and MD041 (the document starts with its title). Points fall
    linearly to zero at ``allowance`` findings.

    Options:
        allowance: Findings that cost all the points (default 4).
    """

    kind = "markdown-lint"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.allowance = parsed.integer("allowance", 4, minimum=1)
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "Markdown lint (markdownlint rules)"

    def run(self, context: CheckContext) -> CheckResult:
        """Apply the rules.

        Args:
            context: The answer.

        Returns:
            The fraction left after the findings.
        """
        doc = parse_markdown(context.answer.source)
        at = context.answer.at
        found: list[tuple[str, int, dict[str, object]]] = []
        previous = 0
        for heading in doc.headings:
            if previous and heading.level > previous + 1:
                fields = {
                    "level": heading.level,
                    "up": previous,
                    "hashes": "#" * (previous + 1),
                }
                found.append(("MD001", heading.line, fields))
            previous = heading.level
        titles = [h for h in doc.headings if h.level == 1]
        found += [("MD025", h.line, {}) for h in titles[1:]]
        found += [
            ("MD040", b.line, {})
            for b in doc.blocks
            if b.kind == "fence" and not b.info
        ]
        first_heading = doc.headings[0] if doc.headings else None
        first_block = doc.blocks[0].line if doc.blocks else doc.lines + 1
        if first_heading is None or (
            first_heading.level != 1 or first_heading.line > first_block
        ):
            found.append(("MD041", 1, {}))
        found += _duplicates(doc)
        findings = tuple(
            make_finding(f"docs.{rule}", at(line), **fields)
            for rule, line, fields in sorted(found, key=lambda item: item[1])
        )
        if not findings:
            return CheckResult(1.0, (make_finding("docs.lint-clean"),))
        return CheckResult(scaled(len(findings), self.allowance), findings)


def _duplicates(doc: Document) -> list[tuple[str, int, dict[str, object]]]:
    """MD024, siblings only: two headings alike under the same parent."""
    found: list[tuple[str, int, dict[str, object]]] = []
    parents: list[tuple[int, str]] = []
    seen: set[tuple[tuple[str, ...], int, str]] = set()
    for heading in doc.headings:
        while parents and parents[-1][0] >= heading.level:
            parents.pop()
        path = tuple(title for _level, title in parents)
        key = (path, heading.level, heading.title.casefold())
        if key in seen:
            found.append(("MD024", heading.line, {"title": heading.title}))
        seen.add(key)
        parents.append((heading.level, heading.title))
    return found
