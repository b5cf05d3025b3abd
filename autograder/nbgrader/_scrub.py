"""Keep hidden tests out of feedback, whatever learner code managed to print.

Learner code may put any text into an exception message, and a message can
end up in a finding. Before a report is rendered for nbgrader, every line of
a hidden region and every string constant written there is cut out of it.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import re

from autograder._parse import parse_python
from autograder.feedback import CellReport, Finding
from autograder.notebook import HIDDEN_BEGIN

HIDDEN_END = "### END HIDDEN TESTS"
MIN_FRAGMENT = 8
MIN_CONSTANT = 6
REPLACEMENT = "[hidden test text removed]"


@functools.lru_cache(maxsize=256)
def hidden_fragments(cell_source: str) -> tuple[str, ...]:
    """List the pieces of a graded cell's hidden region worth guarding.

    Args:
        cell_source: The instructor's full cell text.

    Returns:
        Stripped lines of the hidden region and string constants written in
        it, longest first, each long enough not to match by chance.
    """
    lines = cell_source.splitlines()
    starts = [n for n, line in enumerate(lines, 1) if line.strip() == HIDDEN_BEGIN]
    if not starts:
        return ()
    first = starts[0]
    found: set[str] = set()
    inside = False
    for line in lines:
        stripped = line.strip()
        if stripped == HIDDEN_BEGIN:
            inside = True
        elif stripped == HIDDEN_END:
            inside = False
        elif inside and len(stripped) >= MIN_FRAGMENT and re.search(r"\w", stripped):
            found.add(stripped)
    body = "\n".join("" if line.startswith("%%") else line for line in lines)
    try:
        tree = parse_python(body)
    except SyntaxError:
        return tuple(sorted(found, key=len, reverse=True))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.lineno >= first
            and len(node.value.strip()) >= MIN_CONSTANT
        ):
            found.add(node.value.strip())
    return tuple(sorted(found, key=len, reverse=True))


def _clean(text: str, fragments: tuple[str, ...]) -> str:
    for fragment in fragments:
        if fragment in text:
            text = text.replace(fragment, REPLACEMENT)
    return text


def _finding(finding: Finding, fragments: tuple[str, ...]) -> Finding:
    return dataclasses.replace(
        finding,
        message=_clean(finding.message, fragments),
        hint=_clean(finding.hint, fragments),
    )


def scrub(report: CellReport, fragments: tuple[str, ...]) -> CellReport:
    """Remove hidden-test text from every finding of a report.

    Args:
        report: The report.
        fragments: From :func:`hidden_fragments`.

    Returns:
        The report, with hidden text replaced by a note.
    """
    if not fragments:
        return report
    outcomes = tuple(
        dataclasses.replace(
            outcome,
            findings=tuple(_finding(f, fragments) for f in outcome.findings),
        )
        for outcome in report.outcomes
    )
    notes = tuple(_finding(f, fragments) for f in report.notes)
    return dataclasses.replace(report, outcomes=outcomes, notes=notes)


__all__ = ["hidden_fragments", "scrub"]
