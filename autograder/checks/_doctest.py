"""Docstring examples run by the standard library's doctest.

An example in a docstring is a promise: "type this, and you will see that".
This check imports the answer, lets :mod:`doctest` find every example in its
docstrings and run it, and reports each one that shows something other than
what really happens, at its line in the learner's cell. A module with no
example at all earns nothing: the check asks for a minimum number of
examples that show a result.
"""

from __future__ import annotations

import ast
import builtins
import doctest
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
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
from autograder.checks._pytest import _import_answer
from autograder.feedback import Finding, make_finding

MAX_OUTPUT_LINES = 6


def _one_line(text: str) -> str:
    """Show a possibly multi-line text on one line, cut if it is long."""
    lines = text.strip("\n").splitlines() or ["(nothing)"]
    if len(lines) > MAX_OUTPUT_LINES:
        cut = len(lines) - MAX_OUTPUT_LINES
        lines = [*lines[:MAX_OUTPUT_LINES], f"… [{cut} more lines cut]"]
    return " ⏎ ".join(line.rstrip() for line in lines)


def _names_in(source: str) -> set[str]:
    """Collect the names and attributes an example's code uses."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


def _shows_result(example: doctest.Example) -> bool:
    """Tell whether an example states an output or an exception to compare."""
    return bool(example.want.strip()) or example.exc_msg is not None


@contextmanager
def _keeping_last_result() -> Iterator[None]:
    """Leave ``builtins._`` as it was.

    doctest shows each example's value through :data:`sys.__displayhook__`,
    which stores it in ``builtins._``, as the REPL does. That is doctest's
    doing, not the learner's: put the binding back, so that a grader that
    watches the builtins for tampering sees no change.
    """
    namespace = vars(builtins)
    missing = object()
    saved = namespace.get("_", missing)
    try:
        yield
    finally:
        if saved is missing:
            namespace.pop("_", None)
        else:
            namespace["_"] = saved


@dataclass
class _Tally:
    """What the examples did: counts and findings."""

    ran: int = 0
    passed: int = 0
    counted: int = 0
    findings: list[Finding] = field(default_factory=list)


class _Runner(doctest.DocTestRunner):
    """A doctest runner that keeps a tally instead of printing a report."""

    def __init__(
        self, answer: Answer, must_use: frozenset[str], optionflags: int
    ) -> None:
        super().__init__(verbose=False, optionflags=optionflags)
        self.answer = answer
        self.must_use = must_use
        self.tally = _Tally()
        self._uses_api = False

    def start(self, test: doctest.DocTest) -> None:
        """Begin a docstring: whether it uses the API is decided anew."""
        self._uses_api = not self.must_use

    def _line(self, test: doctest.DocTest, example: doctest.Example) -> int | None:
        if test.lineno is None:
            return None
        return test.lineno + example.lineno + 1

    def _ran(self, example: doctest.Example, *, passed: bool) -> None:
        self.tally.ran += 1
        self._uses_api = self._uses_api or bool(
            self.must_use & _names_in(example.source)
        )
        if passed:
            self.tally.passed += 1
            if self._uses_api and _shows_result(example):
                self.tally.counted += 1

    def report_start(
        self, out: Callable[[str], object], test: doctest.DocTest, example: Any
    ) -> None:
        """Say nothing when an example starts."""

    def report_success(
        self,
        out: Callable[[str], object],
        test: doctest.DocTest,
        example: doctest.Example,
        got: str,
    ) -> None:
        """Count an example that showed what it promised."""
        self._ran(example, passed=True)

    def report_failure(
        self,
        out: Callable[[str], object],
        test: doctest.DocTest,
        example: doctest.Example,
        got: str,
    ) -> None:
        """Record an example whose output differs from the promise."""
        self._ran(example, passed=False)
        self.tally.findings.append(
            make_finding(
                "doctest.failed",
                self.answer.at(self._line(test, example)),
                source=_one_line(example.source),
                want=_one_line(example.want),
                got=_one_line(got),
            )
        )

    def report_unexpected_exception(
        self,
        out: Callable[[str], object],
        test: doctest.DocTest,
        example: doctest.Example,
        exc_info: Any,
    ) -> None:
        """Record an example that raised where it promised a result."""
        self._ran(example, passed=False)
        kind, value, _ = exc_info
        error = "".join(traceback.format_exception_only(kind, value)).strip()
        self.tally.findings.append(
            make_finding(
                "doctest.crashed",
                self.answer.at(self._line(test, example)),
                source=_one_line(example.source),
                error=error,
                want=_one_line(example.want),
            )
        )


@register_check
class DoctestCheck(Check):
    """Run the examples in the answer's docstrings with :mod:`doctest`.

    The score is the share of examples that pass, provided there are enough:
    with fewer than ``min_examples`` passing examples that show a result
    (an output line or an expected exception), the score is zero. Examples
    marked ``+SKIP`` do not run and do not count.

    Options:
        min_examples: Passing examples that show a result needed before any
            point is earned (default 1).
        must_use: Names of the module's API; when given, an example counts
            towards ``min_examples`` only if it, or an earlier example of the
            same docstring, uses one of them (so ``>>> 1 + 1`` does not).
        optionflags: doctest option flags for every example, such as
            ``ELLIPSIS`` or ``NORMALIZE_WHITESPACE`` (default none).
    """

    kind = "doctest"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.min_examples = parsed.integer("min_examples", 1, minimum=1)
        self.must_use = frozenset(parsed.text_list("must_use", []))
        flags = parsed.text_list("optionflags", [])
        parsed.finish()
        unknown = [name for name in flags if name not in doctest.OPTIONFLAGS_BY_NAME]
        if unknown:
            raise ValueError(f"doctest has no option flag {', '.join(unknown)}")
        self.optionflags = 0
        for name in flags:
            self.optionflags |= doctest.OPTIONFLAGS_BY_NAME[name]

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "docstring examples (doctest)"

    def run(self, context: CheckContext) -> CheckResult:
        """Import the answer and run every example in its docstrings.

        Args:
            context: The answer and a place to report progress.

        Returns:
            The share of examples that pass, or zero if there are too few.
        """
        answer = context.answer
        if str(context.workdir) not in sys.path:
            sys.path.insert(0, str(context.workdir))
        crashed = _import_answer(answer)
        if crashed is not None:
            return CheckResult(0.0, (crashed,))
        module: ModuleType = sys.modules[answer.spec.module]
        finder = doctest.DocTestFinder(exclude_empty=True)
        runner = _Runner(answer, self.must_use, self.optionflags)
        with _keeping_last_result():
            for test in sorted(finder.find(module), key=lambda t: t.lineno or 0):
                context.on_event({"test": test.name})
                runner.start(test)
                runner.run(test, out=lambda _text: None)
        return self._result(runner.tally)

    def _result(self, tally: _Tally) -> CheckResult:
        findings = list(tally.findings)
        if tally.counted < self.min_examples:
            names = " or ".join(f"`{name}`" for name in sorted(self.must_use))
            findings.insert(
                0,
                make_finding(
                    "doctest.too-few",
                    found=tally.counted,
                    minimum=self.min_examples,
                    which=f" and use {names}" if self.must_use else "",
                ),
            )
            return CheckResult(0.0, tuple(findings))
        if tally.passed == tally.ran:
            findings.append(make_finding("doctest.passed", count=tally.ran))
        return CheckResult(tally.passed / tally.ran, tuple(findings))
