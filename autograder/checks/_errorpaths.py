r"""Error paths: what a call raises, what it was raised from, and what it left open.

Correct code on good input says little about error handling. This check calls
the answer on bad input and looks at what comes out: the class of the error
(against the learner's own hierarchy), its ``__cause__`` when it replaces a
lower-level error, what its message names, and whether every file the call
opened is closed again — after it returned and after it raised.

The cases are the graded cell's own code, in this format::

    import sensors

    HIERARCHY = {
        "SensorError": "Exception",
        "SourceError": "SensorError",
    }


    def write(folder, text):
        path = folder / "readings.csv"
        path.write_text(text, encoding="utf-8")
        return path


    def raises_source_error_for_a_missing_file(tmp_path):
        '''A missing file: SourceError from FileNotFoundError, naming it.'''
        # raises SourceError from FileNotFoundError mentioning "absent.csv"
        return sensors.load_readings(tmp_path / "absent.csv")


    def returns_the_readings_of_a_good_file(tmp_path):
        '''A good file is read, and closed.'''
        return sensors.load_readings(write(tmp_path, "t1,2024-05-01T10:00,21\n"))

- ``HIERARCHY`` (optional) is a dictionary literal: each key names a class the
  answer module must define, each value the class it must derive from (looked
  up in the answer module, then among the built-in exceptions);
- every top-level function whose name starts with ``raises_`` is a case whose
  call must raise. Exactly one comment in it says what::

      # raises CLASS [from CAUSE | from None] [mentioning "text", "text"...]

  written after the call, or alone on the line before it. The error must come
  out of that line and be an instance of ``CLASS``; after ``from``, its
  ``__cause__`` must be an instance of ``CAUSE`` (``from None``: no cause, the
  context suppressed); after ``mentioning``, its message must contain each
  text. Names are looked up in the cases' own module, then the answer module,
  then the built-ins, so ``SourceError``, ``sensors.SourceError`` and
  ``ValueError`` all work;
- every top-level function whose name starts with ``returns_`` is a case whose
  call (its last statement) must return;
- a case takes no argument, or ``tmp_path``: a new empty folder of its own;
- the first line of a case's docstring says what it tests: it is all the
  feedback shows of a case in the hidden region, with what the learner's code
  did;
- anything else at the top level (imports, helpers) is shared by the cases.

A case should end with ``return <the call>``, so that feedback can show what
came back when nothing was raised.

While a case runs, ``open`` (the built-in, ``io.open``, and so pathlib's
``Path.open``, ``read_text``…) records every file it opens and the line of
the answer that opened it. A file still open when the case ends was left
open, on that path: a reference is kept, so a file nobody closed stays open
even in CPython. The check closes it afterwards.

The ``judge`` option picks what is scored. Each hierarchy entry and each case
is one unit, counted when a picked aspect applies to it, and passing when
every picked aspect that applies holds:

``hierarchy``
    each ``HIERARCHY`` entry holds;
``types``
    a ``raises_`` case raises an instance of its class at the marked call; a
    ``returns_`` case returns;
``messages``
    a ``raises_`` case with ``mentioning``: the message contains each text;
``causes``
    a ``raises_`` case with ``from``: the cause is as declared;
``closed``
    every case: a ``raises_`` case raised (any error: its error path was
    taken), and every file opened during the case was closed when it ended.
    When the learner's code opened no file in any case, every case fails this
    aspect: a stub leaves nothing open, and earns nothing for it.

At grading, the cell's hidden region adds cases the learner never sees; in a
self-check only the public ones run.

Like the purity check, this one catches honest mistakes, not evasion: a file
opened by ``os.open`` or ``_io.open`` is not seen, and code written to slip
past the tracker is a matter for review (and, where grading runs in the
sandbox, for its guard, which notices a rebound built-in).

This module judges; reading the cases is in ``_errorpaths_cases`` and running
one (with the file tracker) in ``_errorpaths_run``.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import reprlib
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    TestCode,
    register_check,
)
from autograder.checks._errorpaths_cases import Case, Cases, find_cases
from autograder.checks._errorpaths_run import Outcome, lines_in, run_case
from autograder.checks._pytest import _import_answer, _short
from autograder.feedback import Finding, Location, make_finding

ASPECTS = ("hierarchy", "types", "messages", "causes", "closed")
"""What a check may judge, in the order its findings are reported."""

_NOT_FOUND = object()
_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60


# --- Judging ---------------------------------------------------------------------


def _ancestry(cls: type) -> str:
    chain = [c.__name__ for c in cls.__mro__ if c not in (BaseException, object)]
    return " → ".join(f"`{name}`" for name in chain) or "`BaseException`"


def _what_came_out(outcome: Outcome, *, hidden: bool) -> str:
    """Say what a call did, in a few words, without hidden data when hidden."""
    if outcome.error is None:
        if hidden and outcome.value is not None:
            return f"returned a `{type(outcome.value).__name__}`"
        return f"returned `{_repr.repr(outcome.value)}`"
    name = type(outcome.error).__name__
    return f"raised `{name}`"


def _count(number: int, one: str, many: str) -> str:
    return "" if not number else f"{number} {one if number == 1 else many}"


def _text(error: BaseException) -> str:
    """The error's message; a ``__str__`` that fails is the learner's to see."""
    try:
        return str(error)
    except Exception as failure:  # noqa: BLE001 - learner code may fail any way
        return f"<str() of it raised {type(failure).__name__}>"


def _message_of(error: BaseException) -> str:
    return _short(_text(error)) or "no message"


@dataclass
class _Judge:
    """Judges the outcomes of one check, turning failures into findings."""

    tests: TestCode
    answer: Answer
    resolve: Callable[[str], object]
    findings: list[Finding] = field(default_factory=list)
    opened_any: bool = False

    def _where(self, case: Case, outcome: Outcome) -> Location | None:
        if outcome.answer_line is not None:
            return self.answer.at(outcome.answer_line)
        return None if case.hidden else self.tests.at(case.call_line)

    def report(
        self,
        case: Case,
        outcome: Outcome,
        finding_id: str,
        detail: str,
        location: Location | None = None,
        **fields: str,
    ) -> None:
        """Add a finding for a failed case; a hidden case gets only its summary.

        Args:
            case: The case.
            outcome: What came out of it.
            finding_id: The finding for a public case.
            detail: What happened, for a hidden case.
            location: Where to point, if not where the error was raised.
            **fields: The public finding's fields.
        """
        where = location or self._where(case, outcome)
        if case.hidden:
            finding = make_finding(
                "errors.hidden-case",
                where,
                name=case.name,
                doc=case.summary,
                result=detail,
            )
        else:
            finding = make_finding(finding_id, where, call=case.call, **fields)
        self.findings.append(finding)

    def exception_class(self, name: str) -> type[BaseException] | None:
        """Look a class name up; ``None`` when the answer does not define it.

        Args:
            name: The class's name, as the cell writes it.

        Returns:
            The class, or ``None`` (also when the name is no exception class).
        """
        value = self.resolve(name)
        if isinstance(value, type) and issubclass(value, BaseException):
            return value
        return None

    def types(self, case: Case, outcome: Outcome) -> bool:
        """Judge the class of what came out (or that nothing was raised).

        Args:
            case: The case.
            outcome: What came out.

        Returns:
            Whether it is as declared.
        """
        error = outcome.error
        if case.expect is None:
            if error is None:
                return True
            self.report(
                case,
                outcome,
                "errors.unexpected-raise",
                f"raised `{type(error).__name__}`, and the case expects a return",
                raised=type(error).__name__,
                text=_message_of(error),
            )
            return False
        expected = case.expect.raises
        cls = self.exception_class(expected)
        if error is None:
            self.report(
                case,
                outcome,
                "errors.returned",
                f"{_what_came_out(outcome, hidden=True)} instead of raising "
                f"`{expected}`",
                value=_what_came_out(outcome, hidden=False).removeprefix("returned "),
                expected=expected,
            )
            return False
        if cls is not None and isinstance(error, cls):
            if outcome.case_line is None or (
                case.call_line <= outcome.case_line <= case.call_end
            ):
                return True
            self.report(
                case,
                outcome,
                "errors.setup-failed",
                f"raised `{type(error).__name__}` before the call it tests",
                name=case.name,
                raised=type(error).__name__,
                text=_message_of(error),
            )
            return False
        self.report(
            case,
            outcome,
            "errors.wrong-class",
            f"raised `{type(error).__name__}`, which is no `{expected}`",
            raised=type(error).__name__,
            text=_message_of(error),
            expected=expected,
            ancestry=_ancestry(type(error)),
            defined="" if cls else f" (your module defines no `{expected}`)",
        )
        return False

    def messages(self, case: Case, outcome: Outcome) -> bool:
        """Judge what the message names.

        Args:
            case: The case.
            outcome: What came out.

        Returns:
            Whether the message contains every declared text.
        """
        assert case.expect is not None  # noqa: S101 - only raises_ cases get here
        if outcome.error is None:
            return self._unchecked(case, outcome, "its message")
        message = _text(outcome.error)
        missing = [text for text in case.expect.mentions if text not in message]
        if not missing:
            return True
        self.report(
            case,
            outcome,
            "errors.message",
            f"raised `{type(outcome.error).__name__}` with a message that does not "
            "name what the case's description asks for",
            raised=type(outcome.error).__name__,
            message=_repr.repr(message),
            missing=", ".join(repr(text) for text in missing),
        )
        return False

    def causes(self, case: Case, outcome: Outcome) -> bool:
        """Judge the ``__cause__`` of what was raised.

        Args:
            case: The case.
            outcome: What came out.

        Returns:
            Whether the cause is as declared.
        """
        assert case.expect is not None  # noqa: S101 - only raises_ cases get here
        assert case.expect.cause is not None  # noqa: S101
        error, wanted = outcome.error, case.expect.cause
        expected = self.exception_class(case.expect.raises)
        if error is None or expected is None or not isinstance(error, expected):
            return self._unchecked(case, outcome, "its `__cause__`")
        cause, raised = error.__cause__, type(error).__name__
        if wanted == "None":
            if cause is None and error.__suppress_context__:
                return True
            got = "no cause" if cause is None else f"a `{type(cause).__name__}`"
            self.report(
                case,
                outcome,
                "errors.not-from-none",
                f"raised `{raised}` with {got}, not `from None`",
                raised=raised,
                got=got,
            )
            return False
        cls = self.exception_class(wanted)
        if cls is not None and isinstance(cause, cls):
            return True
        if cause is None:
            context = error.__context__
            self.report(
                case,
                outcome,
                "errors.no-cause",
                f"raised `{raised}` with no `__cause__`; the case expects one of class "
                f"`{wanted}`",
                raised=raised,
                cause=wanted,
                context=(
                    f" It only has a `__context__` (`{type(context).__name__}`):"
                    " Python keeps the error that was being handled, but says the"
                    " new one happened *during* that handling, as if by accident."
                    if context is not None
                    else ""
                ),
            )
            return False
        self.report(
            case,
            outcome,
            "errors.wrong-cause",
            f"raised `{raised}` from a `{type(cause).__name__}`; the case expects "
            f"a cause of class `{wanted}`",
            raised=raised,
            got=type(cause).__name__,
            cause=wanted,
        )
        return False

    def _unchecked(self, case: Case, outcome: Outcome, what: str) -> bool:
        assert case.expect is not None  # noqa: S101 - only raises_ cases get here
        came_out = _what_came_out(outcome, hidden=case.hidden)
        self.report(
            case,
            outcome,
            "errors.unchecked",
            f"{came_out} instead of `{case.expect.raises}`, so {what} could not "
            "be checked",
            what=what,
            result=came_out,
            expected=case.expect.raises,
        )
        return False

    def closed(self, case: Case, outcome: Outcome) -> bool:
        """Judge that the call left no file open, on the path it was meant to take.

        Args:
            case: The case.
            outcome: What came out.

        Returns:
            Whether every file it opened was closed (the check as a whole
            fails this aspect when no case opened a file at all).
        """
        came_out = _what_came_out(outcome, hidden=case.hidden)
        if case.expect is not None and outcome.error is None:
            self.report(
                case,
                outcome,
                "errors.no-error-path",
                f"{came_out} instead of raising `{case.expect.raises}`, so the "
                "cleanup on its error path could not be checked",
                result=came_out,
                expected=case.expect.raises,
            )
            return False
        self.opened_any = self.opened_any or outcome.answer_opens > 0
        if not outcome.left_open:
            return True
        opened = outcome.left_open[0]
        where = self.answer.at(opened.line) if opened.line else None
        self.report(
            case,
            outcome,
            "errors.file-left-open",
            f"{came_out} and left a file open (opened at line {opened.line} of "
            "your module)",
            location=where,
            result=came_out,
            file=opened.name,
        )
        return False


def _resolver(*namespaces: object) -> Callable[[str], object]:
    """Look dotted names up in each namespace in turn, then among the built-ins."""

    def resolve(name: str) -> object:
        for namespace in (*namespaces, builtins):
            value: object = namespace
            for part in name.split("."):
                value = getattr(value, part, _NOT_FOUND)
                if value is _NOT_FOUND:
                    break
            if value is not _NOT_FOUND:
                return value
        return _NOT_FOUND

    return resolve


def _class_line(source: str, name: str) -> int | None:
    """Find the line that defines a top-level name in the answer."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node.lineno
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return node.lineno
    return None


# --- The check ---------------------------------------------------------------------


@register_check
class ErrorPathsCheck(Check):
    """Call the answer on bad input and judge what it raises and what it closes.

    The score is the share of units (hierarchy entries and cases, see this
    module's docstring for the cell format) that pass every judged aspect.

    Options:
        judge: The aspects to score, among ``hierarchy``, ``types``,
            ``messages``, ``causes`` and ``closed`` (default: all).
    """

    kind = "error-paths"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.judge = parsed.text_list("judge", list(ASPECTS))
        parsed.finish()
        unknown = sorted(set(self.judge) - set(ASPECTS))
        if unknown or not self.judge:
            raise ValueError(
                f"error-paths option 'judge' takes some of {', '.join(ASPECTS)}"
            )

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"error paths ({', '.join(a for a in ASPECTS if a in self.judge)})"

    def run(self, context: CheckContext) -> CheckResult:
        """Load the cell's cases, run each against the answer, and judge them.

        Args:
            context: The answer, the cell's cases and settings.

        Returns:
            The share of units that passed, a finding for each that did not.
        """
        tests = context.tests
        if tests is None:
            return self._error("the graded cell is missing")
        try:
            declared = find_cases(tests)
        except ValueError as error:
            return self._error(str(error))
        if str(context.workdir) not in sys.path:
            sys.path.insert(0, str(context.workdir))
        crashed = _import_answer(context.answer)
        if crashed is not None:
            return CheckResult(0.0, (crashed,))
        loaded = self._load(context, tests)
        if isinstance(loaded, Finding):
            return CheckResult(0.0, (loaded,))
        module, path = loaded
        answer_module = sys.modules[context.answer.spec.module]
        judge = _Judge(tests, context.answer, _resolver(module, answer_module))
        classes, entries = self.read_hierarchy(declared, judge, answer_module)
        passed, cases = self._cases(context, declared, judge, (module, path))
        total = entries + cases
        if total == 0:
            return self._error(f"no case in this cell is judged for {self.judge}")
        findings = judge.findings
        if passed + classes == total:
            units = [
                _count(entries, "class", "classes"),
                _count(cases, "case", "cases"),
            ]
            findings.append(
                make_finding(
                    "errors.passed",
                    units=" and ".join(unit for unit in units if unit),
                    what=", ".join(a for a in ASPECTS if a in self.judge),
                )
            )
        return CheckResult((passed + classes) / total, tuple(findings))

    def _cases(
        self,
        context: CheckContext,
        declared: Cases,
        judge: _Judge,
        loaded: tuple[ModuleType, Path],
    ) -> tuple[int, int]:
        """Run and judge every case an aspect applies to: (passed, judged)."""
        module, path = loaded
        cases = passed = 0
        for case in declared.cases:
            aspects = self._aspects(case)
            if aspects:
                context.on_event({"test": case.name})
                outcome = self._run(context, case, getattr(module, case.name), path)
                cases += 1
                passed += all(getattr(judge, a)(case, outcome) for a in aspects)
        if "closed" in self.judge and cases and not judge.opened_any:
            # A stub opens nothing, and so leaves nothing open: no credit.
            judge.findings.append(make_finding("errors.no-file-opened", count=cases))
            passed = 0
        return passed, cases

    @staticmethod
    def _run(
        context: CheckContext,
        case: Case,
        function: Callable[..., object],
        path: Path,
    ) -> Outcome:
        """Run one case, in a scratch folder of its own if it asks for one."""
        arguments = (
            (Path(tempfile.mkdtemp(prefix="case_", dir=context.workdir)),)
            if case.takes_tmp_path
            else ()
        )
        return run_case(function, arguments, path, context.answer.path)

    def _aspects(self, case: Case) -> list[str]:
        """The judged aspects that apply to a case, in reporting order."""
        expect = case.expect
        applies = {
            "types": True,
            "messages": expect is not None and bool(expect.mentions),
            "causes": expect is not None and expect.cause is not None,
            "closed": True,
        }
        return [a for a in ASPECTS if a in self.judge and applies.get(a, False)]

    def read_hierarchy(
        self, declared: Cases, judge: _Judge, answer_module: ModuleType
    ) -> tuple[int, int]:
        if "hierarchy" not in self.judge:
            return 0, 0
        passed = 0
        for entry in declared.hierarchy:
            value = getattr(answer_module, entry.name, _NOT_FOUND)
            base = judge.resolve(entry.base)
            line = _class_line(judge.answer.source, entry.name)
            where = judge.answer.at(line)
            if value is _NOT_FOUND:
                finding = make_finding(
                    "errors.class-missing", where, name=entry.name, base=entry.base
                )
            elif not (isinstance(value, type) and issubclass(value, BaseException)):
                finding = make_finding(
                    "errors.not-an-exception",
                    where,
                    name=entry.name,
                    base=entry.base,
                    what=f"a `{type(value).__name__}`",
                )
            elif isinstance(base, type) and issubclass(value, base):
                passed += 1
                continue
            else:
                finding = make_finding(
                    "errors.wrong-base",
                    where,
                    name=entry.name,
                    base=entry.base,
                    bases=", ".join(f"`{b.__name__}`" for b in value.__bases__),
                )
            judge.findings.append(finding)
        return passed, len(declared.hierarchy)

    def _load(
        self, context: CheckContext, tests: TestCode
    ) -> Finding | tuple[ModuleType, Path]:
        """Import the cell's code as a module of its own."""
        # The file name a pytest check uses too: a sandbox keeps learner code
        # out of it, so hidden cases stay hidden while the answer runs.
        path = context.workdir / f"test_{tests.cell}.py"
        path.write_text(tests.source, encoding="utf-8")
        name = path.stem
        sys.modules.pop(name, None)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a .py file
            raise RuntimeError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:  # noqa: BLE001 - learner code may crash here
            lines = lines_in(error.__traceback__, path)
            line = lines[-1] if lines else None
            hidden = line is None or tests.is_hidden(line)
            return make_finding(
                "errors.cases-broken",
                None if hidden else tests.at(line),
                error=f"{type(error).__name__}: {_short(str(error))}",
            )
        return module, path

    def _error(self, reason: str) -> CheckResult:
        finding = make_finding("checks.error", check=self.label, reason=reason)
        return CheckResult(0.0, (finding,))
