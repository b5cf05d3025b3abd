"""Render reports as HTML (notebook, nbgrader feedback) or plain text (terminal).

Both renderers show the same things in the same order: the score, then each
check with its findings, most urgent first. Long messages and long lists are
cut, and the cut is said.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

from autograder.feedback._finding import Finding, Severity
from autograder.feedback._report import CellReport, Mode, NotebookReport

MAX_FINDINGS_SHOWN = 12
"""Findings shown per check before the rest is summarised."""

DEFAULT_TEXT_LIMIT = 4000

_ICONS = {
    Severity.ESSENTIAL: "✖",
    Severity.ACTIONABLE: "▲",
    Severity.INFORMATIVE: "ℹ",  # noqa: RUF001 - the information sign, on purpose
    Severity.CELEBRATORY: "✔",
}
_COLOURS = {
    Severity.ESSENTIAL: "#c62828",
    Severity.ACTIONABLE: "#b26a00",
    Severity.INFORMATIVE: "#1565c0",
    Severity.CELEBRATORY: "#2e7d32",
}


def cut(text: str, limit: int = DEFAULT_TEXT_LIMIT) -> str:
    """Shorten text to a limit, saying how much was cut.

    Args:
        text: The text.
        limit: Characters to keep.

    Returns:
        The text itself, or its first ``limit`` characters and a note.
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters cut]"


def _headline(report: CellReport) -> str:
    if report.passed and report.mode is Mode.PUBLIC and report.has_hidden_tests:
        return "public checks passed — more checks run at grading"
    if report.passed:
        return "all checks passed"
    return "not there yet"


def _shown(findings: Iterable[Finding]) -> tuple[list[Finding], int]:
    ordered = sorted(findings, key=lambda finding: finding.severity.rank)
    return ordered[:MAX_FINDINGS_SHOWN], max(0, len(ordered) - MAX_FINDINGS_SHOWN)


def _points(value: float) -> str:
    return f"{value:g}"


# --- Text -----------------------------------------------------------------------


def _finding_text(finding: Finding, limit: int) -> list[str]:
    where = f"{finding.location.describe()}: " if finding.location else ""
    lines = [f"  {_ICONS[finding.severity]} {where}{cut(finding.message, limit)}"]
    if finding.hint:
        lines.append(f"      hint: {cut(finding.hint, limit)}")
    if finding.link:
        lines.append(f"      lesson: {finding.link}")
    return lines


def render_text(report: CellReport, limit: int = DEFAULT_TEXT_LIMIT) -> str:
    """Render one cell's report as plain text.

    Args:
        report: The report.
        limit: Characters kept of any one message.

    Returns:
        The text, ending with a newline.
    """
    lines = [
        f"{report.title} — {_points(report.score)}/{_points(report.max_score)} "
        f"points: {_headline(report)}"
    ]
    for note in report.notes:
        lines.extend(_finding_text(note, limit))
    for outcome in report.outcomes:
        lines.append(
            f" {outcome.check}: {_points(outcome.points)}/{_points(outcome.max_points)}"
        )
        shown, hidden = _shown(outcome.findings)
        for finding in shown:
            lines.extend(_finding_text(finding, limit))
        if hidden:
            lines.append(f"  … and {hidden} more findings (cut)")
    return "\n".join(lines) + "\n"


def render_notebook_text(
    report: NotebookReport, limit: int = DEFAULT_TEXT_LIMIT
) -> str:
    """Render a whole notebook's report as plain text.

    Args:
        report: The report.
        limit: Characters kept of any one message.

    Returns:
        The text, ending with a newline.
    """
    parts = [f"{report.notebook}: {_points(report.score)}/{_points(report.max_score)}"]
    parts.extend(f"ERROR: {error}" for error in report.errors)
    parts.extend(render_text(cell, limit) for cell in report.cells)
    return "\n".join(parts) + "\n"


# --- HTML -----------------------------------------------------------------------

LinkResolver = Callable[[str], str | None]
"""Turns ``lesson-slug#anchor`` into an href, or ``None`` when there is no lesson."""


_CODE = re.compile(r"`([^`\n]+)`")


def _markup(text: str) -> str:
    """Escape text, then show `backticked` spans as code."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text))


def _finding_html(finding: Finding, limit: int, resolve: LinkResolver) -> str:
    colour = _COLOURS[finding.severity]
    where = ""
    if finding.location:
        where = (
            f'<span style="opacity:0.75">{_markup(finding.location.describe())}'
            "</span> — "
        )
    hint = ""
    if finding.hint:
        hint = (
            '<div style="margin-left:1.4em;opacity:0.85">'
            f"{_markup(cut(finding.hint, limit))}</div>"
        )
    link = ""
    href = resolve(finding.link) if finding.link else None
    if href:
        link = (
            f' <a href="{html.escape(href, quote=True)}" '
            'style="text-decoration:underline">lesson</a>'
        )
    return (
        f'<li style="list-style:none;margin:0.2em 0" data-finding="'
        f'{html.escape(finding.id, quote=True)}">'
        f'<span style="color:{colour};font-weight:bold" '
        f'title="{finding.severity.value}">{_ICONS[finding.severity]}</span> '
        f"{where}{_markup(cut(finding.message, limit))}{link}{hint}</li>"
    )


def render_html(
    report: CellReport,
    limit: int = DEFAULT_TEXT_LIMIT,
    resolve: LinkResolver = lambda link: None,
) -> str:
    """Render one cell's report as an HTML fragment.

    Every piece of text is escaped, so nothing a learner's code prints can
    inject markup into the notebook or into nbgrader's feedback.

    Args:
        report: The report.
        limit: Characters kept of any one message.
        resolve: Turns a finding's lesson link into an href.

    Returns:
        The HTML fragment.
    """
    ratio = report.score / report.max_score if report.max_score else 0.0
    colour = "#2e7d32" if report.passed else ("#b26a00" if ratio else "#c62828")
    parts = [
        f'<div class="course-feedback" data-score="{report.score:g}" '
        f'data-max-score="{report.max_score:g}" '
        f'style="border-left:4px solid {colour};padding:0.4em 0.8em;'
        'font-family:var(--jp-content-font-family, sans-serif)">',
        f'<div style="font-weight:bold">{html.escape(report.title)} — '
        f'<span style="color:{colour}">{_points(report.score)}/'
        f"{_points(report.max_score)} points</span>: "
        f"{html.escape(_headline(report))}</div>",
    ]
    if report.notes:
        parts.append('<ul style="padding-left:0.4em;margin:0.3em 0">')
        parts.extend(_finding_html(note, limit, resolve) for note in report.notes)
        parts.append("</ul>")
    for outcome in report.outcomes:
        parts.append(
            f'<div style="margin-top:0.3em">{html.escape(outcome.check)}: '
            f"{_points(outcome.points)}/{_points(outcome.max_points)}</div>"
        )
        shown, hidden = _shown(outcome.findings)
        parts.append('<ul style="padding-left:0.4em;margin:0.1em 0">')
        parts.extend(_finding_html(finding, limit, resolve) for finding in shown)
        if hidden:
            parts.append(
                f'<li style="list-style:none">… and {hidden} more findings (cut)</li>'
            )
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)
