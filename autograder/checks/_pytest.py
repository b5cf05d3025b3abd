"""Behaviour checked by pytest: the graded cell's tests run against the answer."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    TestCode,
    register_check,
)
from autograder.feedback import Finding, Location, make_finding

MAX_DETAIL_LINES = 8

PYTEST_ARGS = (
    "-p",
    "no:nbval",
    "-p",
    "no:anyio",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:randomly",
    "-q",
    "--no-header",
    "--tb=no",
    "-W",
    "ignore::DeprecationWarning",
)
"""Plugins that cost seconds per run are blocked; see benchmarks/README.md."""


def _answer_line(tb: TracebackType | None, path: Path) -> int | None:
    """Find the deepest line of a traceback that lies in the answer module."""
    line = None
    for frame in traceback.extract_tb(tb):
        if Path(frame.filename) == path:
            line = frame.lineno
    return line


def _short(text: str) -> str:
    lines = text.strip().splitlines()
    if len(lines) > MAX_DETAIL_LINES:
        cut = len(lines) - MAX_DETAIL_LINES
        lines = [*lines[:MAX_DETAIL_LINES], f"… [{cut} more lines cut]"]
    return "\n".join(lines)


@dataclass
class _TestReport:
    name: str
    hidden: bool
    passed: bool
    finding: Finding | None = None


class _Collector:
    """A pytest plugin that turns each test's outcome into a finding."""

    def __init__(
        self,
        tests: TestCode,
        test_path: Path,
        answer: Answer,
        on_event: Callable[[dict[str, Any]], None],
    ) -> None:
        self.tests = tests
        self.test_path = test_path
        self.answer = answer
        self.on_event = on_event
        self.reports: list[_TestReport] = []
        self.collection_errors: list[str] = []

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.on_event({"test": nodeid.rsplit("::", 1)[-1]})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.collection_errors.append(text[-1] if text else "unknown error")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.when == "call" and report.passed:
            self.reports.append(_TestReport(item.name, self._hidden(item), passed=True))
        elif report.failed and call.excinfo is not None:
            self.reports.append(self._failure(item, call.excinfo))
        return report

    def _hidden(self, item: pytest.Item) -> bool:
        line = item.location[1]
        # A test whose line is unknown is treated as hidden: never leak it.
        return line is None or self.tests.is_hidden(line + 1)

    def _failure(
        self, item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> _TestReport:
        hidden = self._hidden(item)
        name = item.name
        answer_line = _answer_line(excinfo.tb, self.answer.path)
        # pytest.raises / pytest.fail report a failed expectation, not a crash.
        expectation = isinstance(excinfo.value, AssertionError | pytest.fail.Exception)
        if not expectation or answer_line is not None:
            error = f"{type(excinfo.value).__name__}: {excinfo.value}"
            crash_at = self.answer.at(answer_line) if answer_line else None
            finding = make_finding(
                "tests.crashed", crash_at, error=_short(error), name=name
            )
        elif hidden:
            doc = getattr(getattr(item, "obj", None), "__doc__", None) or ""
            summary = doc.strip().splitlines()[0] if doc.strip() else "no description"
            finding = make_finding("tests.hidden-failed", None, name=name, doc=summary)
        else:
            test_line = _answer_line(excinfo.tb, self.test_path)
            location: Location | None = self.tests.at(test_line) if test_line else None
            finding = make_finding(
                "tests.failed", location, name=name, detail=_short(excinfo.exconly())
            )
        return _TestReport(name, hidden, passed=False, finding=finding)


def _import_answer(answer: Answer) -> Finding | None:
    """Import the answer module once, turning a crash into a finding."""
    sys.modules.pop(answer.spec.module, None)
    try:
        importlib.import_module(answer.spec.module)
    except Exception as error:  # noqa: BLE001 - any crash of learner code is a finding
        line = _answer_line(error.__traceback__, answer.path)
        if isinstance(error, SyntaxError) and error.lineno:
            line = error.lineno
        return make_finding(
            "tests.import-error",
            answer.at(line) if line else None,
            error=_short(f"{type(error).__name__}: {error}"),
        )
    return None


@register_check
class PytestCheck(Check):
    """Run the graded cell's tests, public and (at grading) hidden, with pytest.

    The score is the share of tests that pass. A crash while importing the
    answer scores zero and says where it happened.

    Options:
        None yet; the tests are the graded cell's own code.
    """

    kind = "pytest"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options (there are none)."""
        Options(self.kind, options).finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "tests (pytest)"

    def run(self, context: CheckContext) -> CheckResult:
        """Run the tests in the scratch folder.

        Args:
            context: The answer, tests and settings.

        Returns:
            The share of tests passed, and a finding per failure.
        """
        tests = context.tests
        if tests is None or not tests.source.strip():
            return CheckResult(
                0.0, (make_finding("tests.none", reason="the cell holds no tests"),)
            )
        workdir = context.workdir
        test_path = workdir / f"test_{tests.cell}.py"
        test_path.write_text(tests.source, encoding="utf-8")
        (workdir / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        sys.path.insert(0, str(workdir))
        crashed = _import_answer(context.answer)
        if crashed is not None:
            return CheckResult(0.0, (crashed,))
        collector = _Collector(tests, test_path, context.answer, context.on_event)
        # No third-party plugin is needed, and scanning for them costs seconds.
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        pytest.main(
            [
                *PYTEST_ARGS,
                f"--rootdir={workdir}",
                f"-c={workdir / 'pytest.ini'}",
                str(test_path),
            ],
            plugins=[collector],
        )
        return self._result(collector)

    @staticmethod
    def _result(collector: _Collector) -> CheckResult:
        if collector.collection_errors:
            error = "; ".join(collector.collection_errors)
            return CheckResult(0.0, (make_finding("tests.broken-tests", error=error),))
        total = len(collector.reports)
        if total == 0:
            return CheckResult(
                0.0, (make_finding("tests.none", reason="no test function found"),)
            )
        passed = sum(report.passed for report in collector.reports)
        findings = [r.finding for r in collector.reports if r.finding is not None]
        if passed == total:
            findings.append(make_finding("tests.passed", count=total))
        return CheckResult(passed / total, tuple(findings))
