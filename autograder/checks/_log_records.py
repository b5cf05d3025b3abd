"""Logging judged by its records: levels, logger, exceptions, secrets, config.

The ``log-records`` check imports the learner's module, runs the scenarios of
the graded cell with every record captured (as pytest's ``caplog`` does) and
judges one aspect, chosen by its ``judge`` option:

``records``
    Each scenario's records from the module's logger (``logger``, by default
    the answer's module name) match its expectations: the right level, the
    key values mentioned, the ``extra`` fields, the exception attached. The
    score is the share of scenarios that log as expected (and return or
    raise what they should).
``secrets``
    No secret of a scenario (a card number) appears in any record of any
    logger, in any grouping of its digits: message, arguments, ``extra``
    fields, exception text with its chain, stack. The score is the share of
    scenarios without a leak; nothing if the module logged nothing at all.
``config``
    The module configures no logging, on import or in a call: no handler but
    ``NullHandler``, no ``basicConfig``/``dictConfig``/``fileConfig``, no root
    level, no ``propagate = False``, no ``logging.disable``. All or nothing;
    nothing if the module logged nothing at all.

The scenarios and their format: :mod:`autograder.checks._log_expect`.
"""

from __future__ import annotations

import ast
import logging
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._log_capture import (
    Captured,
    ConfigWatch,
    answer_line,
    capturing,
    leaks,
    reset_logger,
)
from autograder.checks._log_expect import (
    ABSENT,
    Outcome,
    RecordSpec,
    Scenario,
    assign,
    content_matches,
    exception_match,
    join_and,
    matches,
    read_scenarios,
)
from autograder.checks._pytest import _import_answer
from autograder.checks._reference_equivalence import (
    MaterialError,
    course_fault,
    error_text,
    shown,
)
from autograder.feedback import Finding, Location, make_finding

JUDGES = ("records", "secrets", "config")
"""The aspects the check can score."""

MAX_LISTED = 6
"""Findings listed one by one before the rest are only counted."""

MAX_MESSAGE = 70
"""Characters of a logged message shown in feedback."""


# --- The check -----------------------------------------------------------------


@register_check
class LogRecordsCheck(Check):
    """Run the cell's scenarios with every record captured; judge one aspect.

    Options:
        judge: ``records``, ``secrets`` or ``config`` (required; see the
            module's documentation).
        logger: Name of the module's logger (default: the answer's module
            name, which is what ``logging.getLogger(__name__)`` gives).
    """

    kind = "log-records"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.judge: str = parsed.text("judge")
        self.logger: str = parsed.text("logger", "")
        parsed.finish()
        if self.judge not in JUDGES:
            raise ValueError(f"log-records option 'judge' must be one of {JUDGES}")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return {
            "records": "log records: levels, logger, exceptions",
            "secrets": "log records: no secret in any record",
            "config": "logging configuration left to the application",
        }[self.judge]

    def run(self, context: CheckContext) -> CheckResult:
        """Import the module, run every scenario, judge what was logged.

        Args:
            context: The answer and the graded cell holding the scenarios.

        Returns:
            The share earned and what was found.
        """
        try:
            scenarios = read_scenarios(context.tests, context)
        except MaterialError as error:
            return course_fault(self.label, f"its scenarios are malformed: {error}")
        answer = context.answer
        logger = self.logger or answer.spec.module
        watch = ConfigWatch()
        reset_logger(logger)
        try:
            with watch.installed():
                with watch.phase("when it was imported"):
                    crashed = _import_answer(answer)
                if crashed is not None:
                    return CheckResult(0.0, (crashed,))
                module = sys.modules[answer.spec.module]
                outcomes = self._run_all(scenarios, module, logger, watch, context)
        finally:
            sys.modules.pop(answer.spec.module, None)
            reset_logger(logger)
        judge = _Judge(answer, logger, outcomes)
        if self.judge == "records":
            return judge.records()
        if self.judge == "secrets":
            return judge.secrets()
        return judge.config(watch.changes)

    @staticmethod
    def _run_all(
        scenarios: list[Scenario],
        module: ModuleType,
        logger: str,
        watch: ConfigWatch,
        context: CheckContext,
    ) -> list[Outcome]:
        outcomes = []
        for scenario in scenarios:
            context.on_event({"test": scenario.name})
            returned: object = ABSENT
            error: BaseException | None = None
            with capturing(logger) as capture, watch.phase(f"in {scenario.name}"):
                try:
                    returned = scenario.call(module)
                except Exception as raised:  # noqa: BLE001 - learner code may raise anything
                    error = raised
            outcomes.append(Outcome(scenario, capture.records, returned, error))
        return outcomes


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…")


def _said(record: Captured, scenario: Scenario) -> str:
    """Show a record's message, or only its line when the scenario is hidden."""
    if not scenario.hidden:
        return _clip(record.message)
    return f"logged at line {record.line}"


def _cut(findings: list[Finding]) -> list[Finding]:
    kept = findings[:MAX_LISTED]
    if len(findings) > len(kept):
        kept.append(make_finding("logs.more-cut", count=len(findings) - len(kept)))
    return kept


class _Judge:
    """Turns the outcomes of the scenarios into a score and findings."""

    def __init__(self, answer: Answer, logger: str, outcomes: list[Outcome]) -> None:
        self.answer = answer
        self.logger = logger
        self.outcomes = outcomes

    def _own(self, record: Captured) -> bool:
        return record.logger == self.logger or record.logger.startswith(
            self.logger + "."
        )

    def _at(self, record: Captured | None) -> Location:
        if record is not None and record.pathname == str(self.answer.path):
            return self.answer.at(record.line)
        return self.answer.at(None)

    def _nothing_logged(self) -> CheckResult | None:
        records = [r for o in self.outcomes for r in o.records]
        if any(self._own(record) for record in records):
            return None
        others = sorted({record.logger for record in records})
        said = f"; records came only from {', '.join(others)}" if others else ""
        finding = make_finding(
            "logs.nothing-logged", self.answer.at(None), logger=self.logger, others=said
        )
        return CheckResult(0.0, (finding,))

    # --- records ---------------------------------------------------------------

    def records(self) -> CheckResult:
        """Score the share of scenarios that log (and end) as expected.

        Returns:
            The result.
        """
        nothing = self._nothing_logged()
        if nothing is not None:
            crashes = [f for o in self.outcomes for f in self._outcome(o)]
            return CheckResult(0.0, nothing.findings + tuple(_cut(crashes)))
        findings: list[Finding] = []
        passed = 0
        for outcome in self.outcomes:
            problems = self._outcome(outcome) + self._logged(outcome)
            passed += not problems
            findings.extend(problems)
        findings = _cut(findings)
        if passed == len(self.outcomes):
            findings.append(
                make_finding(
                    "logs.records-ok", count=len(self.outcomes), logger=self.logger
                )
            )
        return CheckResult(passed / len(self.outcomes), tuple(findings))

    def _outcome(self, outcome: Outcome) -> list[Finding]:
        scenario, error = outcome.scenario, outcome.error
        if scenario.raises is None and error is not None:
            return [self._crash(outcome, error, "it should return normally")]
        if scenario.raises is not None:
            if error is None:
                return [
                    make_finding(
                        "logs.wrong-outcome",
                        self.answer.at(None),
                        scenario=scenario.name,
                        got=f"the call returned {shown(outcome.returned)}",
                        expected=f"`{scenario.raises}` raised",
                    )
                ]
            if not any(c.__name__ == scenario.raises for c in type(error).__mro__):
                return [
                    self._crash(outcome, error, f"it should raise `{scenario.raises}`")
                ]
            cause = error.__cause__
            if scenario.cause and not (
                cause is not None
                and any(c.__name__ == scenario.cause for c in type(cause).__mro__)
            ):
                return [
                    make_finding(
                        "logs.wrong-outcome",
                        self._error_at(error),
                        scenario=scenario.name,
                        got=f"`{type(error).__name__}` was raised without its cause",
                        expected=f"`raise ... from` the `{scenario.cause}`",
                    )
                ]
        if scenario.returns is not ABSENT and outcome.returned != scenario.returns:
            return [
                make_finding(
                    "logs.wrong-outcome",
                    self.answer.at(None),
                    scenario=scenario.name,
                    got=f"the call returned {shown(outcome.returned)}",
                    expected=(
                        "the value the scenario expects"
                        if scenario.hidden
                        else f"{shown(scenario.returns)} returned"
                    ),
                )
            ]
        return []

    def _error_at(self, error: BaseException) -> Location:
        line = answer_line((type(error), error, error.__traceback__), self.answer.path)
        return self.answer.at(line)

    def _crash(self, outcome: Outcome, error: BaseException, expected: str) -> Finding:
        return make_finding(
            "logs.crashed",
            self._error_at(error),
            scenario=outcome.scenario.name,
            error=error_text(error),
            expected=expected,
        )

    def _logged(self, outcome: Outcome) -> list[Finding]:
        scenario = outcome.scenario
        own = [record for record in outcome.records if self._own(record)]
        matched = assign(scenario.expect, own)
        explained: set[int] = set(matched.values())
        problems: list[Finding] = []
        for number, spec in enumerate(scenario.expect):
            if number not in matched:
                problems.append(self._missing(outcome, spec, own, explained))
        for index, record in enumerate(own):
            forbidden = [spec for spec in scenario.forbid if matches(record, spec)]
            if forbidden and index not in explained:
                explained.add(index)
                problems.append(
                    make_finding(
                        "logs.forbidden-record",
                        self._at(record),
                        scenario=scenario.name,
                        level=record.level_name,
                        message=_said(record, scenario),
                        reason=forbidden[0].reason or "this situation calls for none",
                    )
                )
        for index, record in enumerate(own):
            if (
                index not in explained
                and scenario.max_level is not None
                and record.level > scenario.max_level
            ):
                problems.append(
                    make_finding(
                        "logs.unexpected-record",
                        self._at(record),
                        scenario=scenario.name,
                        level=record.level_name,
                        message=_said(record, scenario),
                        max_level=logging.getLevelName(scenario.max_level),
                    )
                )
        return problems

    def _missing(
        self,
        outcome: Outcome,
        spec: RecordSpec,
        own: list[Captured],
        explained: set[int],
    ) -> Finding:
        scenario = outcome.scenario
        what = spec.describe(hidden=scenario.hidden)
        common = {"scenario": scenario.name, "level": spec.level_name, "what": what}
        candidates = [
            (index, record)
            for index, record in enumerate(own)
            if index not in explained and content_matches(record, spec)
        ]
        for index, record in candidates:
            if record.level == spec.level:
                explained.add(index)
                return make_finding(
                    "logs.no-exc-info",
                    self._at(record),
                    message=_said(record, scenario),
                    exception=spec.exc_info,
                    **common,
                )
        elsewhere = [
            (abs(record.level - spec.level), -index, index, record)
            for index, record in candidates
            if exception_match(record, spec.exc_info)
        ]
        if elsewhere:
            *_, index, record = min(elsewhere, key=lambda item: item[:3])
            explained.add(index)
            return make_finding(
                "logs.wrong-level",
                self._at(record),
                message=_said(record, scenario),
                found=record.level_name,
                **common,
            )
        for record in outcome.records:
            if not self._own(record) and matches(record, spec):
                return make_finding(
                    "logs.wrong-logger",
                    self._at(record),
                    message=_said(record, scenario),
                    found=record.logger,
                    logger=self.logger,
                    **common,
                )
        seen = [
            f"{r.level_name} {_clip(r.message) if not scenario.hidden else ''}".strip()
            for r in own
        ]
        return make_finding(
            "logs.missing-record",
            self.answer.at(None),
            logger=self.logger,
            level_lower=spec.level_name.lower(),
            seen="; ".join(seen) if seen else "none",
            **common,
        )

    # --- secrets ---------------------------------------------------------------

    def secrets(self) -> CheckResult:
        """Score the share of scenarios whose records reveal no secret.

        Returns:
            The result.
        """
        nothing = self._nothing_logged()
        if nothing is not None:
            return nothing
        findings: list[Finding] = []
        clean = 0
        count = 0
        for outcome in self.outcomes:
            count += len(outcome.records)
            found = self._leaks(outcome)
            clean += not found
            findings.extend(found)
        findings = _cut(findings)
        if clean == len(self.outcomes):
            findings.append(
                make_finding(
                    "logs.secrets-ok", records=count, scenarios=len(self.outcomes)
                )
            )
        return CheckResult(clean / len(self.outcomes), tuple(findings))

    def _leaks(self, outcome: Outcome) -> list[Finding]:
        scenario = outcome.scenario
        found = []
        for secret in scenario.secrets:
            shown_secret = (
                "a hidden card number"
                if scenario.hidden
                else f"the card number `{secret}`"
            )
            for record in outcome.records:
                parts = [name for name, text in record.parts() if leaks(text, secret)]
                if not parts:
                    continue
                where = self._at(record)
                raised_at = answer_line(record.exc_info, self.answer.path)
                if raised_at is not None and set(parts) == {"the exception text"}:
                    where = self.answer.at(raised_at)  # where the message was made
                found.append(
                    make_finding(
                        "logs.secret-leaked",
                        where,
                        scenario=scenario.name,
                        secret=shown_secret,
                        parts=join_and(list(dict.fromkeys(parts))),
                        level=record.level_name,
                        logger=record.logger,
                    )
                )
        return found

    # --- config ----------------------------------------------------------------

    def config(self, changes: list[tuple[str, str]]) -> CheckResult:
        """Score a module that leaves logging's configuration alone.

        Args:
            changes: What the module configured, by phase.

        Returns:
            The result: all or nothing.
        """
        nothing = self._nothing_logged()
        if nothing is not None:
            return nothing
        if not changes:
            return CheckResult(1.0, (make_finding("logs.config-ok"),))
        lines = _configuring_lines(self.answer.source)
        findings = [
            make_finding(
                "logs.configures",
                self.answer.at(_line_for(what, lines)),
                what=what,
                when=when,
            )
            for when, what in changes
        ]
        return CheckResult(0.0, tuple(_cut(findings)))


_CONFIG_CALLS = {
    "basicConfig": "basicConfig",
    "dictConfig": "dictConfig",
    "fileConfig": "fileConfig",
    "added a": "addHandler",
    "propagate": "propagate",
    "root logger's level": "setLevel",
    "disable": "disable",
}
"""A phrase of a configuration change, and the call (or attribute) that makes it."""


def _configuring_lines(source: str) -> dict[str, int]:
    """Find the first line of each configuring call (or assignment) in the answer."""
    lines: dict[str, int] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return lines
    wanted = set(_CONFIG_CALLS.values())
    for node in ast.walk(tree):
        name = ""
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                name = func.attr
            elif isinstance(func, ast.Name):
                name = func.id
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(
                isinstance(t, ast.Attribute) and t.attr == "propagate" for t in targets
            ):
                name = "propagate"
        if name in wanted and isinstance(node, ast.stmt | ast.expr):
            lines[name] = min(lines.get(name, node.lineno), node.lineno)
    return lines


def _line_for(what: str, lines: dict[str, int]) -> int | None:
    for phrase, name in _CONFIG_CALLS.items():
        if phrase in what and name in lines:
            return lines[name]
    return None
