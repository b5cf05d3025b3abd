"""The scenarios of the ``log-records`` check, and how records are matched to them.

The scenarios are the graded cell's body, run as a module (its code is the
course's): a top-level list ``SCENARIOS`` of dicts, public above the hidden
marker and extended below it::

    SCENARIOS = [
        {
            "title": "an ordinary transfer",
            "call": lambda module: module.transfer(Gateway(), CARD, "A-1", 2500),
            "returns": "TX-1",              # or "raises": "TransferError",
                                            #    "cause": "ConnectionError"
            "secrets": [CARD],              # never in any record
            "max_level": "INFO",            # nothing louder unless expected
            "expect": [
                {"level": "DEBUG", "mentions": {"the account": "A-1"}},
                {
                    "level": "INFO",
                    "mentions": {"the amount": ("2500", "25.0")},
                    "fields": {"transaction": "TX-1"},
                },
            ],
            "forbid": [{"level": "ERROR", "reason": "nothing failed"}],
        },
    ]

A record spec matches a record at exactly its ``level`` whose message or
``extra`` values contain, for each label of ``mentions``, one of its texts;
whose ``extra`` ``fields`` equal the given values; and, with ``exc_info``,
which carries an exception of that class (or a subclass). Expected specs are
matched to distinct records, in any order; more records are fine up to
``max_level``. Hidden scenarios are named by their title only.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType

from autograder.checks._base import CheckContext, TestCode
from autograder.checks._log_capture import Captured
from autograder.checks._reference_equivalence import (
    MaterialError,
    read_material,
    shown,
)

_SCENARIO_KEYS = frozenset(
    {"title", "call", "expect", "forbid", "max_level", "raises", "cause"}
    | {"returns", "secrets"}
)
_SPEC_KEYS = frozenset({"level", "mentions", "fields", "exc_info", "reason"})
ABSENT = object()
"""Stands for a scenario that expects no particular return value."""


@dataclass(frozen=True)
class RecordSpec:
    """What a record must (or must not) be.

    Attributes:
        level: The level number.
        mentions: Labels, each with the texts of which one must appear.
        fields: ``extra`` fields and their values.
        exc_info: Class name of the exception it must carry, if any.
        reason: Why such a record is forbidden (for ``forbid``).
    """

    level: int
    mentions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fields: tuple[tuple[str, object], ...] = ()
    exc_info: str | None = None
    reason: str = ""

    @property
    def level_name(self) -> str:
        """The level's name, such as ``INFO``."""
        return logging.getLevelName(self.level)

    def describe(self, *, hidden: bool) -> str:
        """Say what the record must hold, without hidden values.

        Args:
            hidden: Whether the scenario is hidden.

        Returns:
            Text such as ``mentioning the account (`A-1`)``.
        """
        said = []
        for label, texts in self.mentions:
            said.append(label if hidden else f"{label} (`{texts[0]}`)")
        parts = [f"mentioning {join_and(said)}"] if said else []
        for key, value in self.fields:
            shown_value = "" if hidden else f" = {shown(value)}"
            parts.append(f"with the `extra` field `{key}`{shown_value}")
        if self.exc_info:
            parts.append(f"carrying the `{self.exc_info}` (exc_info)")
        return ", ".join(parts) or "of any content"


@dataclass(frozen=True)
class Scenario:
    """One call of the learner's code, with what its records must be.

    Attributes:
        title: What happens, as the feedback names it.
        call: Called with the learner's module.
        hidden: Whether it is one of the hidden scenarios.
        expect: Records that must be logged.
        forbid: Records that must not be.
        max_level: Loudest level allowed for records not expected.
        raises: Class name of the error the call must raise, if any.
        cause: Class name of that error's ``__cause__``, if required.
        returns: The value the call must return (``ABSENT``: any).
        secrets: Texts no record may reveal.
    """

    title: str
    call: Callable[[ModuleType], object]
    hidden: bool
    expect: tuple[RecordSpec, ...] = ()
    forbid: tuple[RecordSpec, ...] = ()
    max_level: int | None = None
    raises: str | None = None
    cause: str | None = None
    returns: object = ABSENT
    secrets: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The scenario as the feedback names it."""
        return f"a hidden scenario ({self.title})" if self.hidden else self.title


@dataclass
class Outcome:
    """What one scenario did.

    Attributes:
        scenario: The scenario.
        records: Every record captured during the call, of any logger.
        returned: What the call returned.
        error: What it raised, if anything.
    """

    scenario: Scenario
    records: list[Captured]
    returned: object
    error: BaseException | None


def join_and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _level(value: object, where: str) -> int:
    if not isinstance(value, str) or not isinstance(
        logging.getLevelName(value.upper()), int
    ):
        raise MaterialError(f"{where}: {value!r} is no level name")
    level: int = logging.getLevelName(value.upper())
    return level


def _spec(raw: object, where: str) -> RecordSpec:
    if not isinstance(raw, Mapping) or not set(raw) <= _SPEC_KEYS:
        raise MaterialError(f"{where}: a record spec is a dict of {sorted(_SPEC_KEYS)}")
    mentions = []
    for label, texts in dict(raw.get("mentions", {})).items():
        options = (texts,) if isinstance(texts, str) else tuple(texts)
        if not options or not all(isinstance(text, str) for text in options):
            raise MaterialError(f"{where}: mentions of {label!r} must be texts")
        mentions.append((str(label), options))
    return RecordSpec(
        level=_level(raw.get("level"), where),
        mentions=tuple(mentions),
        fields=tuple(dict(raw.get("fields", {})).items()),
        exc_info=raw.get("exc_info"),
        reason=str(raw.get("reason", "")),
    )


def _scenario(raw: object, hidden: bool, number: int) -> Scenario:
    where = f"SCENARIOS[{number}]"
    if not isinstance(raw, Mapping) or not set(raw) <= _SCENARIO_KEYS:
        raise MaterialError(f"{where} must be a dict of {sorted(_SCENARIO_KEYS)}")
    call = raw.get("call")
    if not callable(call):
        raise MaterialError(f"{where} needs a callable 'call'")
    max_level = raw.get("max_level")
    return Scenario(
        title=str(raw.get("title", f"scenario {number + 1}")),
        call=call,
        hidden=hidden,
        expect=tuple(_spec(item, where) for item in raw.get("expect", ())),
        forbid=tuple(_spec(item, where) for item in raw.get("forbid", ())),
        max_level=None if max_level is None else _level(max_level, where),
        raises=raw.get("raises"),
        cause=raw.get("cause"),
        returns=raw.get("returns", ABSENT),
        secrets=tuple(str(secret) for secret in raw.get("secrets", ())),
    )


def _element_lines(tests: TestCode) -> list[int]:
    """Find the line of each item of ``SCENARIOS`` written as a list literal."""
    lines: list[int] = []
    for node in ast.parse(tests.source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "SCENARIOS":
            if isinstance(value, ast.List | ast.Tuple):
                lines.extend(element.lineno for element in value.elts)
            else:
                lines.append(node.lineno)
    return lines


def read_scenarios(tests: TestCode | None, context: CheckContext) -> list[Scenario]:
    """Run the graded cell's body and read its scenarios.

    Args:
        tests: The graded cell's code.
        context: The check's context (for the scratch folder).

    Returns:
        The scenarios, public ones first.

    Raises:
        MaterialError: The body does not run or its scenarios are malformed.
    """
    material = read_material(tests, (), context.workdir)
    raw = material.names.get("SCENARIOS")
    if tests is None or raw is None:
        raise MaterialError("the cell defines no SCENARIOS")
    if not isinstance(raw, list | tuple) or not raw:
        raise MaterialError("SCENARIOS must be a non-empty list")
    lines = _element_lines(tests)
    if len(lines) != len(raw):
        lines = [max(lines, default=1)] * len(raw)
    return [
        _scenario(item, tests.is_hidden(line), number)
        for number, (item, line) in enumerate(zip(raw, lines, strict=True))
    ]


# --- Matching ------------------------------------------------------------------


def _mentions(record: Captured, texts: tuple[str, ...]) -> bool:
    values = [record.message, *(str(value) for value in record.extras.values())]
    return any(text in value for text in texts for value in values)


def _fields_match(record: Captured, spec: RecordSpec) -> bool:
    for key, value in spec.fields:
        if key not in record.extras:
            return False
        found = record.extras[key]
        if found != value and str(found) != str(value):
            return False
    return True


def exception_match(record: Captured, name: str | None) -> bool:
    if name is None:
        return True
    if record.exc_info is None:
        return False
    return any(cls.__name__ == name for cls in record.exc_info[0].__mro__)


def content_matches(record: Captured, spec: RecordSpec) -> bool:
    """Tell whether a record holds what a spec asks, whatever its level.

    Args:
        record: The record.
        spec: The spec.

    Returns:
        True when mentions and fields are there.
    """
    return all(_mentions(record, texts) for _, texts in spec.mentions) and (
        _fields_match(record, spec)
    )


def matches(record: Captured, spec: RecordSpec) -> bool:
    """Tell whether a record satisfies a spec in every respect.

    Args:
        record: The record.
        spec: The spec.

    Returns:
        True when level, content and exception all match.
    """
    return (
        record.level == spec.level
        and content_matches(record, spec)
        and exception_match(record, spec.exc_info)
    )


def assign(specs: tuple[RecordSpec, ...], records: list[Captured]) -> dict[int, int]:
    """Match specs to distinct records (a maximum bipartite matching).

    Args:
        specs: The expected records.
        records: The records logged.

    Returns:
        Record index by spec index, for the specs that found one.
    """
    owner: dict[int, int] = {}

    def place(spec: int, seen: set[int]) -> bool:
        for index, record in enumerate(records):
            if index in seen or not matches(record, specs[spec]):
                continue
            seen.add(index)
            if index not in owner or place(owner[index], seen):
                owner[index] = spec
                return True
        return False

    for spec in range(len(specs)):
        place(spec, set())
    return {spec: index for index, spec in owner.items()}
