"""The catalogue of finding ids: message templates, severities and lesson links.

The entries live in TOML files in ``catalogue/`` beside this module (one file
per family of checks) so that wording can be reviewed without reading code.
Families of ids (``style.*``, ``types.*``) fall back to a generic entry when a
specific code has no curated text.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from autograder.feedback._finding import Finding, Location, Severity


@dataclass(frozen=True)
class Entry:
    """A catalogue entry.

    Attributes:
        severity: Severity of findings made from it.
        message: Template for the message, with ``{field}`` placeholders.
        hint: Template for the hint.
        link: Lesson section, ``lesson-slug#anchor``, or ``""``.
    """

    severity: Severity
    message: str
    hint: str
    link: str

    def fields(self) -> set[str]:
        """Name the placeholders its templates use.

        Returns:
            The placeholder names in the message and hint.
        """
        names: set[str] = set()
        for template in (self.message, self.hint):
            names.update(
                name for _, name, _, _ in string.Formatter().parse(template) if name
            )
        return names


@cache
def load_catalogue() -> dict[str, Entry]:
    """Read the catalogue shipped with the package: every ``catalogue/*.toml``.

    Returns:
        Entries by finding id.

    Raises:
        ValueError: Two files define the same id.
    """
    folder = resources.files("autograder.feedback").joinpath("catalogue")
    entries: dict[str, Entry] = {}
    for item in sorted(folder.iterdir(), key=lambda item: item.name):
        if not item.name.endswith(".toml"):
            continue
        for finding_id, body in tomllib.loads(item.read_text("utf-8")).items():
            if finding_id in entries:
                raise ValueError(f"{item.name}: {finding_id!r} is defined twice")
            entries[finding_id] = Entry(
                severity=Severity(body["severity"]),
                message=body["message"],
                hint=body.get("hint", ""),
                link=body.get("link", ""),
            )
    return entries


def lookup(finding_id: str) -> Entry:
    """Find the entry for an id, falling back to its family's generic entry.

    ``style.E711`` uses its own entry when the catalogue has one, otherwise
    ``style.*``.

    Args:
        finding_id: The finding id.

    Returns:
        The entry to use.

    Raises:
        KeyError: Neither the id nor its family is catalogued.
    """
    catalogue = load_catalogue()
    if finding_id in catalogue:
        return catalogue[finding_id]
    family = finding_id.split(".", 1)[0] + ".*"
    return catalogue[family]


def make_finding(
    finding_id: str, location: Location | None = None, **fields: object
) -> Finding:
    """Build a finding from its catalogue entry.

    Args:
        finding_id: The finding id.
        location: Where it points, if anywhere.
        **fields: Values for the entry's placeholders.

    Returns:
        The finding, with message and hint filled in.
    """
    entry = lookup(finding_id)
    return Finding(
        id=finding_id,
        severity=entry.severity,
        message=entry.message.format(**fields),
        hint=entry.hint.format(**fields),
        location=location,
        link=entry.link,
    )
