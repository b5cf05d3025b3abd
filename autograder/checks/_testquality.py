"""Test quality: do the learner's own tests catch bugs and reach their code?

Two checks relate the two answer cells of a test-first exercise, a test module
and the module it tests:

- ``mutants`` runs the learner's tests against a correct reference
  implementation (they must pass) and against curated buggy variants of it,
  the *mutants* (each should make some test fail: the mutant is *killed*).
- ``coverage`` measures, with coverage.py and ``branch=True``, how much of the
  learner's implementation their own tests run.

Both run pytest in-process, in the forked child the engine gives every graded
cell. Each variant is written as the implementation module into a fresh
sub-folder of the scratch folder, beside a copy of the learner's tests, and
the modules of earlier runs are dropped from ``sys.modules`` in between.

The reference and the mutants are hidden material: they live only in the
hidden region of the graded cell's body, as two top-level constants::

    REFERENCE = '''<source of a correct implementation>'''
    MUTANTS = {
        "what the bug gets wrong, in the learner's words": '''<source>''',
        "another bug": ("text of REFERENCE", "the text that replaces it"),
    }

A mutant is either a whole module or one replacement applied to
``REFERENCE`` (its first text must occur exactly once). The feedback names a
surviving mutant only by its description, never by its code. When the hidden
part is absent (a learner's self-check), ``mutants`` runs the tests against
the learner's own implementation instead and says that the reference and the
mutants run at grading.
"""

from __future__ import annotations

import ast
import importlib
import json
import math
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autograder._contract import assess
from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
    scaled,
)
from autograder.checks._pytest import PYTEST_ARGS, _answer_line, _short
from autograder.feedback import Finding, make_finding

REFERENCE_NAME = "REFERENCE"
MUTANTS_NAME = "MUTANTS"
FAST_ARGS = (
    "-s",
    *(
        argument
        for plugin in (
            "unraisableexception",
            "threadexception",
            "junitxml",
            "doctest",
            "pastebin",
            "stepwise",
            "setuponly",
            "setupplan",
            "faulthandler",
            "debugging",
        )
        for argument in ("-p", f"no:{plugin}")
    ),
)
"""A run costs a third less without output capture, without the plugins that
call ``gc.collect()`` after every session, and without those a learner's test
module cannot use (reports, doctests, debugger, step-wise runs)."""
MAX_LISTED = 6
"""Failing tests, or lines and branches, listed one by one before the rest
is summed up."""


@dataclass
class _TestRun:
    """One test's outcome in one pytest session."""

    nodeid: str
    name: str
    passed: bool
    line: int | None = None
    error: str = ""


@dataclass
class _Session:
    """What one pytest session of the learner's tests found."""

    runs: dict[str, _TestRun] = field(default_factory=dict)
    collection_errors: list[str] = field(default_factory=list)
    exit_code: int = 0

    @property
    def failed(self) -> list[_TestRun]:
        """The tests that failed or errored, in the order they ran."""
        return [run for run in self.runs.values() if not run.passed]

    @property
    def broken(self) -> bool:
        """Whether any test failed or the tests could not be collected."""
        return bool(self.collection_errors or self.failed)


class _Recorder:
    """A pytest plugin that records each test's outcome and failing line."""

    def __init__(
        self, test_path: Path, on_event: Callable[[dict[str, Any]], None]
    ) -> None:
        self.test_path = test_path
        self.on_event = on_event
        self.session = _Session()

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.on_event({"test": nodeid.rsplit("::", 1)[-1]})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.session.collection_errors.append(text[-1] if text else "error")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        runs = self.session.runs
        if report.failed:
            line = None
            error = "failed"
            if call.excinfo is not None:
                line = _answer_line(call.excinfo.tb, self.test_path)
                error = _short(call.excinfo.exconly())
            if line is None and item.location[1] is not None:
                line = item.location[1] + 1
            runs[item.nodeid] = _TestRun(item.nodeid, item.name, False, line, error)
        elif report.when == "call" and report.passed:
            runs.setdefault(item.nodeid, _TestRun(item.nodeid, item.name, True))
        return report


def _forget_modules(folder: Path) -> None:
    """Drop every imported module whose file lies in ``folder``."""
    prefix = f"{folder}{os.sep}"
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        if isinstance(filename, str) and filename.startswith(prefix):
            del sys.modules[name]


def run_tests(
    test_path: Path,
    context: CheckContext,
    *,
    stop_at_first: bool = False,
    plain: bool = False,
    deselect: tuple[str, ...] = (),
) -> _Session:
    """Run a test module with pytest, importing its siblings first.

    Modules imported from the scratch folder by an earlier run are forgotten
    before and after, so each run imports the module under test afresh.

    Args:
        test_path: The test module; its folder holds the module under test
            and goes first on ``sys.path`` for the run.
        context: The check's context: scratch folder and progress events.
        stop_at_first: Stop at the first failure (enough to kill a mutant).
        plain: Leave assertions as they are, when only pass or fail matters
            (pytest's rewriting explains a failure, at a cost per run).
        deselect: Node ids of tests not to run.

    Returns:
        Each test's outcome.
    """
    folder = test_path.parent
    scratch = context.workdir
    _forget_modules(scratch)
    importlib.invalidate_caches()
    ini = folder / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    recorder = _Recorder(test_path, context.on_event)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    arguments = [*PYTEST_ARGS, *FAST_ARGS, f"--rootdir={folder}", f"-c={ini}"]
    if stop_at_first:
        arguments.append("-x")
    if plain:
        arguments.append("--assert=plain")
    for nodeid in deselect:
        arguments.append(f"--deselect={nodeid}")
    sys.path.insert(0, str(folder))
    try:
        code = pytest.main([*arguments, str(test_path)], plugins=[recorder])
    finally:
        sys.path.remove(str(folder))
        _forget_modules(scratch)
    recorder.session.exit_code = int(code)
    return recorder.session


def _collection_finding(session: _Session, label: str) -> Finding | None:
    """Say why a session judged nothing, if it did not."""
    if session.exit_code in (
        pytest.ExitCode.INTERNAL_ERROR,
        pytest.ExitCode.USAGE_ERROR,
    ):
        reason = f"pytest ended with {pytest.ExitCode(session.exit_code).name}"
        return make_finding("checks.error", check=label, reason=reason)
    if session.collection_errors:
        error = _short("; ".join(session.collection_errors))
        return make_finding("testing.broken-tests", error=error)
    if not session.runs:
        return make_finding(
            "testing.no-tests", reason="no function whose name starts with `test_`"
        )
    return None


def _other_answer(context: CheckContext, grade_id: str, check: str) -> Answer | Finding:
    """Find the answer a check relates to the declared one, ready to run."""
    answer = context.answers.get(grade_id)
    if answer is None:
        return make_finding("answer.cell-missing", cell=grade_id)
    readiness = assess(answer.spec, answer.source)
    if not readiness.dynamic_ok:
        return make_finding(
            "testing.cell-not-ready", answer.at(None), cell=grade_id, check=check
        )
    return answer


def _failures(
    finding_id: str, tests: Answer, failed: list[_TestRun], module: str
) -> list[Finding]:
    """Say which tests failed and where, the first few one by one."""
    findings = [
        make_finding(
            finding_id,
            tests.at(run.line),
            name=run.name,
            detail=run.error,
            module=module,
        )
        for run in failed[:MAX_LISTED]
    ]
    if len(failed) > MAX_LISTED:
        names = ", ".join(f"`{run.name}`" for run in failed[MAX_LISTED:])
        findings.append(
            make_finding(
                "testing.failures-cut", count=len(failed) - MAX_LISTED, names=names
            )
        )
    return findings


@dataclass(frozen=True)
class Material:
    """The hidden reference implementation and its mutants.

    Attributes:
        reference: Source of a correct implementation.
        mutants: Source of each buggy variant, by what it gets wrong.
    """

    reference: str
    mutants: dict[str, str]


def _mutant_source(reference: str, description: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(part, str) for part in value)
    ):
        old, new = value
        if reference.count(old) != 1:
            raise ValueError(f"mutant {description!r}: its text must occur once")
        return reference.replace(old, new)
    raise ValueError(f"mutant {description!r} must be source or a replacement")


def read_material(context: CheckContext) -> Material | None:
    """Read the reference and mutants from the graded cell's hidden region.

    Args:
        context: The check's context; its tests are the graded cell's body.

    Returns:
        The material, or ``None`` when the cell holds none (a self-check).

    Raises:
        ValueError: The material is malformed or lies outside the hidden
            region (a fault of the course, never of the learner).
    """
    tests = context.tests
    if tests is None:
        return None
    found: dict[str, object] = {}
    for node in ast.parse(tests.source).body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id in (
            REFERENCE_NAME,
            MUTANTS_NAME,
        ):
            if not tests.is_hidden(node.lineno):
                raise ValueError(f"{target.id} must be in the hidden tests")
            found[target.id] = ast.literal_eval(node.value)
    if not found:
        return None
    reference = found.get(REFERENCE_NAME)
    mutants = found.get(MUTANTS_NAME)
    if not isinstance(reference, str) or not isinstance(mutants, dict) or not mutants:
        raise ValueError(f"{REFERENCE_NAME} must be source, {MUTANTS_NAME} a dict")
    sources = {
        str(description): _mutant_source(reference, str(description), value)
        for description, value in mutants.items()
    }
    if reference in sources.values():
        raise ValueError("a mutant is identical to the reference")
    return Material(reference, sources)


def _variant(
    workdir: Path, index: int, module: str, source: str, tests: Answer
) -> Path:
    """Write one variant and a copy of the tests into a fresh sub-folder."""
    folder = workdir / f"variant-{index}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    test_path = folder / tests.path.name
    test_path.write_text(tests.source, encoding="utf-8")
    return test_path


@register_check
class MutantsCheck(Check):
    """Judge the learner's tests: right on a correct module, failing on buggy ones.

    At grading, the tests run against the hidden reference (each test that
    fails there is wrong, is left out of the mutant runs, and costs a share
    of the points) and then against each hidden mutant, stopping at the first
    failure. The score is the share of mutants killed, full at ``threshold``
    per cent, times the penalty for wrong tests. In a self-check, without the
    hidden material, the tests run against the learner's own implementation.

    Options:
        implementation: Grade id of the answer the tests test (required).
        threshold: Per cent of mutants killed that earns all the points
            (default 80).
        allowance: Tests failing on the reference that cost all the points
            (default 4).
    """

    kind = "mutants"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.implementation: str = parsed.text("implementation")
        self.threshold = parsed.integer("threshold", 80, minimum=1)
        self.allowance = parsed.integer("allowance", 4, minimum=1)
        parsed.finish()
        if self.threshold > 100:
            raise ValueError("mutants option 'threshold' must be ≤ 100")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "your tests against a correct version and buggy ones (pytest)"

    def run(self, context: CheckContext) -> CheckResult:
        """Run the learner's tests against the reference and the mutants.

        Args:
            context: The tests (the declared answer), the other answers and
                the graded cell's body, which holds the hidden material.

        Returns:
            The share of mutants killed, less the cost of wrong tests.
        """
        tests = context.answer
        implementation = context.answers.get(self.implementation)
        if implementation is None:
            finding = make_finding("answer.cell-missing", cell=self.implementation)
            return CheckResult(0.0, (finding,))
        try:
            material = read_material(context)
        except (SyntaxError, ValueError) as error:
            reason = f"the hidden material is malformed: {error}"
            finding = make_finding("checks.error", check=self.label, reason=reason)
            return CheckResult(0.0, (finding,))
        if material is None:
            return self._self_check(context, tests, implementation)
        module = implementation.spec.module
        test_path = _variant(context.workdir, 0, module, material.reference, tests)
        on_reference = run_tests(test_path, context)
        broken = _collection_finding(on_reference, self.label)
        if broken is not None:
            return CheckResult(0.0, (broken,))
        wrong = on_reference.failed
        findings = _failures("testing.wrong-on-reference", tests, wrong, module)
        if len(wrong) == len(on_reference.runs):
            return CheckResult(0.0, tuple(findings))
        deselect = tuple(run.nodeid for run in wrong)
        survivors = []
        for index, (description, source) in enumerate(material.mutants.items(), 1):
            path = _variant(context.workdir, index, module, source, tests)
            session = run_tests(
                path, context, stop_at_first=True, plain=True, deselect=deselect
            )
            if not session.broken:
                survivors.append(description)
        total = len(material.mutants)
        killed = total - len(survivors)
        findings += [
            make_finding("testing.mutant-survived", bug=description, module=module)
            for description in survivors
        ]
        share = killed / total
        score_id = (
            "testing.mutants-caught"
            if share * 100 >= self.threshold
            else "testing.mutant-score"
        )
        findings.append(
            make_finding(
                score_id,
                killed=killed,
                total=total,
                percent=math.floor(share * 100),
                threshold=self.threshold,
            )
        )
        fraction = min(1.0, share * 100 / self.threshold)
        return CheckResult(
            fraction * scaled(len(wrong), self.allowance), tuple(findings)
        )

    def _self_check(
        self, context: CheckContext, tests: Answer, implementation: Answer
    ) -> CheckResult:
        """Without hidden material: run the tests against the learner's module."""
        module = implementation.spec.module
        if not assess(implementation.spec, implementation.source).dynamic_ok:
            finding = make_finding(
                "testing.nothing-to-test-yet",
                implementation.at(None),
                cell=implementation.spec.grade_id,
                module=module,
            )
            return CheckResult(0.0, (finding,))
        session = run_tests(tests.path, context)
        broken = _collection_finding(session, self.label)
        if broken is not None:
            return CheckResult(0.0, (broken,))
        findings = _failures("testing.failed-on-own", tests, session.failed, module)
        total = len(session.runs)
        passed = total - len(session.failed)
        findings.append(
            make_finding("testing.mutants-at-grading", count=total, module=module)
        )
        return CheckResult(passed / total, tuple(findings))


def _coverage_findings(answer: Answer, report: dict[str, Any]) -> list[Finding]:
    """Name the lines and branches of the answer that no test reached."""
    missing_lines: list[int] = report.get("missing_lines", [])
    places: list[tuple[int, Finding]] = [
        (
            line,
            make_finding(
                "testing.line-not-run",
                answer.at(line),
                line=line,
                module=answer.spec.module,
            ),
        )
        for line in missing_lines
    ]
    for start, end in report.get("missing_branches", []):
        if start in missing_lines or end in missing_lines:
            continue  # a line that never ran says it already
        destination = f"line {end}" if end > 0 else "the end of the function"
        finding = make_finding(
            "testing.branch-not-taken",
            answer.at(start),
            line=start,
            destination=destination,
        )
        places.append((start, finding))
    places.sort(key=lambda place: place[0])
    findings = [finding for _, finding in places[:MAX_LISTED]]
    if len(places) > MAX_LISTED:
        more = len(places) - MAX_LISTED
        findings.append(make_finding("testing.coverage-cut", count=more))
    return findings


@register_check
class CoverageCheck(Check):
    """Measure how much of the learner's module their own tests run.

    coverage.py (``branch=True``, no data file, no configuration file, and no
    exclusion pragmas: ``# pragma: no cover`` buys nothing) measures the
    declared answer while pytest runs the learner's test module against it.
    The percentage is the one ``coverage report`` shows: statements and
    branches together. It earns all the points from ``target`` per cent, and
    falls linearly to nothing at ``floor`` per cent.

    Options:
        tests: Grade id of the answer that holds the tests (required).
        target: Per cent that earns all the points (default 90).
        floor: Per cent at or below which nothing is earned (default 50).
    """

    kind = "coverage"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.tests: str = parsed.text("tests")
        self.target = parsed.integer("target", 90, minimum=1)
        self.floor = parsed.integer("floor", 50, minimum=0)
        parsed.finish()
        if not self.floor < self.target <= 100:
            raise ValueError("coverage options need floor < target ≤ 100")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "coverage of your code by your tests (coverage.py, branches)"

    def run(self, context: CheckContext) -> CheckResult:
        """Run the learner's tests under coverage.py.

        Args:
            context: The implementation (the declared answer) and the tests.

        Returns:
            Credit by the percentage covered, and what no test reached.
        """
        import coverage

        answer = context.answer
        tests = _other_answer(context, self.tests, self.label)
        if isinstance(tests, Finding):
            return CheckResult(0.0, (tests,))
        measure = coverage.Coverage(
            data_file=None,
            branch=True,
            config_file=False,
            include=[str(answer.path)],
        )
        measure.clear_exclude("exclude")
        measure.clear_exclude("partial")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", coverage.exceptions.CoverageWarning)
            measure.start()
            try:
                session = run_tests(tests.path, context, plain=True)
            finally:
                measure.stop()
            broken = _collection_finding(session, self.label)
            if broken is not None:
                return CheckResult(0.0, (broken,))
            out = context.workdir / "coverage.json"
            try:
                measure.json_report(outfile=str(out))
            except coverage.exceptions.NoDataError:
                finding = make_finding(
                    "testing.not-imported", module=answer.spec.module
                )
                return CheckResult(0.0, (finding,))
        files = json.loads(out.read_text(encoding="utf-8"))["files"]
        report = next(iter(files.values()))
        return self._result(answer, report, session)

    def _result(
        self, answer: Answer, report: dict[str, Any], session: _Session
    ) -> CheckResult:
        summary = report["summary"]
        shown = float(summary["percent_covered_display"])
        percent = float(summary["percent_covered"])
        fields = {
            "percent": summary["percent_covered_display"],
            "target": self.target,
            "statements": summary["num_statements"],
            "branches": summary["num_branches"],
            "module": answer.spec.module,
        }
        findings: list[Finding] = []
        if session.failed:
            findings.append(
                make_finding(
                    "testing.failing-while-measured",
                    failed=len(session.failed),
                    total=len(session.runs),
                    module=answer.spec.module,
                )
            )
        if shown >= self.target:
            fraction = 1.0
            findings.append(make_finding("testing.coverage-met", **fields))
        else:
            fraction = max(0.0, (percent - self.floor) / (self.target - self.floor))
            findings.append(make_finding("testing.coverage-low", **fields))
        findings += _coverage_findings(answer, report)
        return CheckResult(fraction, tuple(findings))
