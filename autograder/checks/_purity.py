"""Pure units checked two ways: by reading their code, and by running them.

A pure unit takes values and returns a value; it prints nothing, reads and
writes no file, asks nothing, logs nothing. This check looks for input/output
in the functions an exercise declares pure, in two independent ways, and a
unit earns its share only when both find nothing:

Static
    The syntax tree of each pure function, and of every module-level function
    (or lambda in a module-level table) it refers to, directly or through
    others, is scanned for calls that do input/output: ``print``, ``open``,
    ``input``, ``breakpoint``; ``sys.stdin``/``stdout``/``stderr``; the
    ``logging`` module and loggers made with ``logging.getLogger``; ``os``
    (except the string functions of ``os.path``); ``subprocess``, ``shutil``,
    ``socket`` and other I/O modules; pathlib's file methods (``read_text``,
    ``write_text``, ``exists``…). ``print`` counts even into a buffer.

Dynamic
    The graded cell's tests (public ones; hidden ones too at grading) run under
    pytest with each pure function wrapped. While a wrapped function runs,
    ``print``, ``open``, ``input``, ``io.open``, the file and process functions
    of ``os``, ``subprocess.Popen``, ``socket.socket`` and logging are replaced
    by functions that record the attempt and raise ``PermissionError``, and
    ``sys.stdout``/``stderr``/``stdin`` by streams that do the same. An open
    file passed to a pure unit counts too: reading it is the unit's I/O. A unit
    must also return normally in at least one test call, so a stub that only
    raises proves nothing.

The tests' own results are not scored here (another check does that); only
what the pure units attempted while they ran.

Each way covers the other's blind spot: reading is fooled by indirection
(``getattr(builtins, "print")``, a stream saved under another name), running
sees only the paths the tests take. Together they catch the honest mistakes
this check is for; code written to evade both is a matter for review.
"""

from __future__ import annotations

import ast
import builtins
import functools
import io
import logging
import os
import socket
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
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
from autograder.checks._pytest import PYTEST_ARGS, _import_answer
from autograder.feedback import Finding, make_finding

IO_BUILTINS = frozenset({"print", "open", "input", "breakpoint"})
"""Built-in functions that do input/output."""

IO_MODULES = frozenset(
    {
        "fileinput",
        "ftplib",
        "glob",
        "http.client",
        "http.server",
        "logging",
        "requests",
        "select",
        "shutil",
        "smtplib",
        "socket",
        "sqlite3",
        "subprocess",
        "tempfile",
        "urllib.request",
        "webbrowser",
    }
)
"""Modules (or packages) whose every function call counts as input/output."""

SYS_STREAMS = frozenset({"stdin", "stdout", "stderr"})
PURE_OS = frozenset({"fspath", "fsdecode", "fsencode"})
PURE_OS_PATH = frozenset(
    {
        "basename",
        "commonpath",
        "commonprefix",
        "dirname",
        "isabs",
        "join",
        "normcase",
        "normpath",
        "split",
        "splitdrive",
        "splitext",
    }
)
"""Functions of ``os.path`` that only work on the text of a path."""

FILE_METHODS = frozenset(
    {
        "exists",
        "glob",
        "is_dir",
        "is_file",
        "iterdir",
        "mkdir",
        "open",
        "read_bytes",
        "read_text",
        "rglob",
        "rmdir",
        "touch",
        "unlink",
        "write_bytes",
        "write_text",
    }
)
"""Method names that read or write files: pathlib's, mostly. (A stream's
``read``/``write`` are left out: a ``StringIO`` is a fine way to build text.)"""

OS_IO = (
    "listdir",
    "makedirs",
    "mkdir",
    "open",
    "popen",
    "read",
    "remove",
    "rename",
    "replace",
    "rmdir",
    "scandir",
    "stat",
    "system",
    "unlink",
    "walk",
    "write",
)
"""Functions of ``os`` switched off while a pure unit runs."""

_MAX_CALL_TEXT = 40
_MAX_DEPTH = 200


# --- Static: read the code ------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A call that does input/output, in the answer's source.

    Attributes:
        line: 1-based line.
        column: 1-based column.
        call: The call as written, shortened.
    """

    line: int
    column: int
    call: str


class _Module:
    """What the scan needs to know about the answer module as a whole."""

    def __init__(self, tree: ast.Module) -> None:
        self.aliases: dict[str, str] = {}
        self.top: dict[str, list[ast.AST]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                self._read_import(node)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.top.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value:
                self._read_assignment(node, node.value)

    def _read_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.ImportFrom):
            if node.module and not node.level:
                for alias in node.names:
                    name = alias.asname or alias.name
                    self.aliases[name] = f"{node.module}.{alias.name}"
            return
        for alias in node.names:
            if alias.asname:  # import os.path as osp: osp is os.path
                self.aliases[alias.asname] = alias.name
            else:  # import os.path: the name bound is os
                head = alias.name.split(".")[0]
                self.aliases[head] = head

    def _read_assignment(
        self, node: ast.Assign | ast.AnnAssign, value: ast.expr
    ) -> None:
        """Remember a table's lambdas under its name, and loggers as loggers."""
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        lambdas = [n for n in ast.walk(value) if isinstance(n, ast.Lambda)]
        alias = (
            self.dotted(value) if isinstance(value, ast.Name | ast.Attribute) else None
        )
        for target in targets:
            if isinstance(target, ast.Name):
                self.top.setdefault(target.id, []).extend(lambdas)
                if self._is_logger(value):
                    self.aliases[target.id] = "logging.Logger"
                elif alias is not None and _io_name(alias):
                    self.aliases[target.id] = alias  # show = print: show is print

    def _is_logger(self, value: ast.expr) -> bool:
        return isinstance(value, ast.Call) and self.dotted(value.func) in (
            "logging.getLogger",
            "logging.Logger",
        )

    def dotted(self, node: ast.expr) -> str | None:
        """Resolve ``name.attr.attr`` through the imports, or give ``None``."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(self.aliases.get(node.id, node.id))
        return ".".join(reversed(parts))

    def io_call(self, call: ast.Call) -> bool:
        """Tell whether a call does input/output."""
        dotted = self.dotted(call.func)
        if dotted is not None and _io_name(dotted):
            return True
        return isinstance(call.func, ast.Attribute) and call.func.attr in FILE_METHODS

    def references(self, nodes: list[ast.AST]) -> set[str]:
        """Name the module-level definitions that some code refers to."""
        return {
            node.id
            for root in nodes
            for node in ast.walk(root)
            if isinstance(node, ast.Name) and node.id in self.top
        }

    def sites(self, nodes: list[ast.AST]) -> set[Site]:
        """Find the input/output calls in some code."""
        found = set()
        for root in nodes:
            for node in ast.walk(root):
                if isinstance(node, ast.Call) and self.io_call(node):
                    text = ast.unparse(node.func)
                    if len(text) > _MAX_CALL_TEXT:
                        text = "…" + text[-_MAX_CALL_TEXT:]
                    found.add(Site(node.lineno, node.col_offset + 1, text))
        return found


def _io_name(dotted: str) -> bool:
    """Tell whether a resolved dotted name is a function that does I/O."""
    if dotted in IO_BUILTINS:
        return True
    if any(dotted.startswith(f"{module}.") for module in IO_MODULES):
        return True
    head, _, rest = dotted.partition(".")
    first, _, second = rest.partition(".")
    if head == "sys":
        return first in SYS_STREAMS
    if head == "io":
        return first == "open"
    if head == "os" and first == "path":
        return bool(second) and second not in PURE_OS_PATH
    return head == "os" and bool(first) and first not in PURE_OS


def static_sites(source: str, units: tuple[str, ...]) -> dict[Site, list[str]]:
    """Find the input/output each pure unit can reach in the source.

    Args:
        source: The answer module's text.
        units: Names of the functions that must be pure.

    Returns:
        Each input/output call, with the pure units that reach it.
    """
    module = _Module(ast.parse(source))
    reached: dict[Site, list[str]] = {}
    for unit in units:
        seen: set[str] = set()
        todo = [unit] if unit in module.top else []
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo += module.references(module.top[name]) - seen
        for name in sorted(seen):
            for site in module.sites(module.top[name]):
                if unit not in reached.setdefault(site, []):
                    reached[site].append(unit)
    return reached


# --- Dynamic: run the tests with I/O switched off --------------------------------


@dataclass(frozen=True)
class Attempt:
    """Input/output tried while pure units ran.

    Attributes:
        units: The pure units running at the time, outermost first.
        call: What was tried.
        line: The line of the answer it came from, if any.
        test: The test that was running.
    """

    units: tuple[str, ...]
    call: str
    line: int | None
    test: str


class _RefusingStream:
    """A standard stream that records and refuses every read and write."""

    encoding = "utf-8"

    def __init__(self, sentry: Sentry, name: str) -> None:
        self._sentry = sentry
        self._name = name

    def _refused(self, operation: str) -> Callable[..., Any]:
        def refused(*args: object) -> Any:
            raise self._sentry.refuse(f"{self._name}.{operation}")

        return refused

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name in {"write", "writelines", "read", "readline", "readlines"}:
            return self._refused(name)
        raise AttributeError(name)

    def flush(self) -> None:
        """Do nothing: there is nothing to flush."""

    def isatty(self) -> bool:
        """Say the stream is no terminal."""
        return False


class Sentry:
    """Wraps pure functions; while one runs, input/output is refused and recorded.

    Args:
        answer_path: The answer module's file, to find the learner's line.
    """

    def __init__(self, answer_path: Path) -> None:
        """Start with nothing recorded."""
        self.answer_file = str(answer_path)
        self.stack: list[str] = []
        self.calls: Counter[str] = Counter()
        self.returns: Counter[str] = Counter()
        self.attempts: list[Attempt] = []
        self.test = "the tests"
        self._saved: list[tuple[object, str, object]] = []

    def _answer_line(self) -> int | None:
        """Find the innermost line of the answer on the call stack.

        ``warnings.warn`` walks the stack in C and reports the file and line
        ``stacklevel`` frames up, so no frame object is touched (a sandbox
        may refuse ``sys._getframe`` while learner code runs).
        """
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for level in range(2, _MAX_DEPTH):
                warnings.warn("locate", stacklevel=level)
                where = caught[-1]
                if where.filename == self.answer_file:
                    return where.lineno
                if where.filename == "sys":  # past the outermost frame
                    break
        return None

    def record(self, call: str) -> None:
        """Note an attempt at input/output by the running pure units.

        Args:
            call: What was tried.
        """
        line = self._answer_line()
        self.attempts.append(Attempt(tuple(self.stack), call, line, self.test))

    def refuse(self, call: str) -> PermissionError:
        """Record an attempt and build the error that refuses it.

        Args:
            call: What was tried.

        Returns:
            The error to raise in the learner's code.
        """
        self.record(call)
        return PermissionError(f"{call} is switched off while a pure unit runs")

    def _refuser(self, call: str) -> Callable[..., Any]:
        def refused(*args: object, **kwargs: object) -> Any:
            raise self.refuse(call)

        return refused

    def _install(self) -> None:
        patches: list[tuple[object, str, object]] = [
            *((builtins, name, self._refuser(name)) for name in sorted(IO_BUILTINS)),
            (io, "open", self._refuser("io.open")),
            *((os, name, self._refuser(f"os.{name}")) for name in OS_IO),
            (subprocess, "Popen", self._refuser("subprocess")),
            (socket, "socket", self._refuser("socket")),
            (logging.Logger, "isEnabledFor", self._refuser("logging")),
            *(
                (sys, name, _RefusingStream(self, f"sys.{name}"))
                for name in sorted(SYS_STREAMS)
            ),
        ]
        for owner, name, replacement in patches:
            self._saved.append((owner, name, getattr(owner, name)))
            setattr(owner, name, replacement)

    def _uninstall(self) -> None:
        while self._saved:
            owner, name, original = self._saved.pop()
            setattr(owner, name, original)

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a pure function so that input/output is refused while it runs.

        Args:
            name: The unit's name, for the feedback.
            function: The learner's function.

        Returns:
            The wrapped function.
        """

        @functools.wraps(function)
        def guarded(*args: object, **kwargs: object) -> Any:
            self.calls[name] += 1
            self.stack.append(name)
            if len(self.stack) == 1:
                self._install()
            try:
                if any(isinstance(v, io.IOBase) for v in (*args, *kwargs.values())):
                    self.record("an open file, given as an argument")
                result = function(*args, **kwargs)
            finally:
                self.stack.pop()
                if not self.stack:
                    self._uninstall()
            self.returns[name] += 1
            return result

        return guarded


class _Runner:
    """A pytest plugin that tells the sentry which test runs, and counts them."""

    def __init__(self, sentry: Sentry, on_event: Callable[[dict[str, Any]], None]):
        self.sentry = sentry
        self.on_event = on_event
        self.ran = 0
        self.collection_errors: list[str] = []

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        name = nodeid.rsplit("::", 1)[-1]
        self.sentry.test = name
        self.ran += 1
        self.on_event({"test": name})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.collection_errors.append(text[-1] if text else "unknown error")


def _wrap_units(
    module: ModuleType, units: tuple[str, ...], sentry: Sentry
) -> list[str]:
    """Replace each pure function of the module by its guarded version.

    Returns:
        The names that are not functions of the module.
    """
    missing = []
    for name in units:
        function = getattr(module, name, None)
        if callable(function) and not isinstance(function, type):
            setattr(module, name, sentry.wrap(name, function))
        else:
            missing.append(name)
    return missing


# --- The check --------------------------------------------------------------------


def _listing(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"`{name}`" for name in names)


@register_check
class PurityCheck(Check):
    """Check that the declared pure units do no input/output, statically and live.

    The score is the share of pure units found clean both ways.

    Options:
        functions: Names of the module's functions that must be pure.
        edge: Names of the functions that may do the input/output, named in
            the hint as where it belongs (default: none named).
    """

    kind = "pure"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.functions = parsed.text_list("functions")
        self.edge = parsed.text_list("edge", [])
        parsed.finish()
        if not self.functions:
            raise ValueError("pure option 'functions' must name at least one")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "no input/output in the pure units (static and live)"

    @property
    def _edge_text(self) -> str:
        return _listing(self.edge) if self.edge else "the function at the edge"

    def run(self, context: CheckContext) -> CheckResult:
        """Scan the pure units, then run the cell's tests with I/O switched off.

        Args:
            context: The answer, the cell's tests and settings.

        Returns:
            The share of pure units found clean, with a finding per problem.
        """
        answer = context.answer
        impure: set[str] = set()
        findings: list[Finding] = []
        static_lines: set[int] = set()
        for site, units in sorted(
            static_sites(answer.source, self.functions).items(),
            key=lambda item: (item[0].line, item[0].column),
        ):
            impure.update(units)
            static_lines.add(site.line)
            findings.append(
                make_finding(
                    "purity.io-call",
                    answer.at(site.line, site.column),
                    call=site.call,
                    units=_listing(units),
                    edge=self._edge_text,
                )
            )
        live = self._run_tests(context)
        if isinstance(live, Finding):
            return CheckResult(0.0, (*findings, live))
        sentry, runner, missing = live
        findings += self._live_findings(answer, sentry, static_lines, impure)
        unproven = [
            name
            for name in self.functions
            if name not in missing and name not in impure and not sentry.returns[name]
        ]
        # A missing name of the contract is already reported, as essential.
        undeclared = [name for name in missing if name not in answer.spec.defines]
        if undeclared:
            findings.append(
                make_finding(
                    "purity.not-defined", answer.at(None), names=_listing(undeclared)
                )
            )
        if unproven:
            findings.append(
                make_finding("purity.never-returned", units=_listing(unproven))
            )
        clean = [
            name
            for name in self.functions
            if name not in impure and name not in missing and name not in unproven
        ]
        if len(clean) == len(self.functions):
            findings.append(
                make_finding(
                    "purity.clean",
                    units=_listing(clean),
                    tests=f"{runner.ran} test{'s' * (runner.ran != 1)}",
                )
            )
        return CheckResult(len(clean) / len(self.functions), tuple(findings))

    def _live_findings(
        self,
        answer: Answer,
        sentry: Sentry,
        static_lines: set[int],
        impure: set[str],
    ) -> list[Finding]:
        findings = []
        reported: set[tuple[str, int | None]] = set()
        for attempt in sentry.attempts:
            impure.update(attempt.units)
            key = (attempt.call, attempt.line)
            if key in reported or attempt.line in static_lines:
                continue
            reported.add(key)
            where = answer.at(attempt.line) if attempt.line else None
            finding_id = (
                "purity.open-file-argument"
                if attempt.call.startswith("an open file")
                else "purity.io-at-runtime"
            )
            findings.append(
                make_finding(
                    finding_id,
                    where,
                    call=attempt.call,
                    units=" → ".join(f"`{unit}`" for unit in attempt.units),
                    test=attempt.test,
                    edge=self._edge_text,
                )
            )
        return findings

    def _run_tests(
        self, context: CheckContext
    ) -> Finding | tuple[Sentry, _Runner, list[str]]:
        """Run the cell's tests with the pure units wrapped."""
        answer = context.answer
        sentry = Sentry(answer.path)
        runner = _Runner(sentry, context.on_event)
        tests = context.tests
        crashed = _import_answer(answer)
        if crashed is not None:
            return crashed
        module = sys.modules[answer.spec.module]
        originals = {name: getattr(module, name, None) for name in self.functions}
        missing = _wrap_units(module, self.functions, sentry)
        try:
            if tests is not None and tests.source.strip():
                self._pytest(context.workdir, tests, runner)
        finally:
            for name, original in originals.items():
                if name not in missing:
                    setattr(module, name, original)
        if runner.collection_errors:
            error = "; ".join(runner.collection_errors)
            return make_finding("tests.broken-tests", error=error)
        return sentry, runner, missing

    @staticmethod
    def _pytest(workdir: Path, tests: TestCode, runner: _Runner) -> None:
        # The file name a pytest check uses too (a sandbox keeps learner code
        # out of it); a module a pytest check left behind is dropped first.
        test_path = workdir / f"test_{tests.cell}.py"
        test_path.write_text(tests.source, encoding="utf-8")
        ini = workdir / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        sys.modules.pop(test_path.stem, None)
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        pytest.main(
            [*PYTEST_ARGS, f"--rootdir={workdir}", f"-c={ini}", str(test_path)],
            plugins=[runner],
        )
