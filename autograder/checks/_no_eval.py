"""No ``eval`` of input: text from a user is parsed as data, never run as code.

The ``no-eval`` check judges a parsing function, such as one that reads
saved preferences written as a Python literal, in two independent ways:

Reading (``static`` per cent of the points)
    The answer's syntax tree must hold no call of ``eval`` or ``exec``, no
    ``compile`` other than to a syntax tree (``ast.PyCF_ONLY_AST``), and no
    other reference to them (``run = eval``, ``builtins.eval``, an import of
    them from ``builtins``). ``ast.literal_eval`` and ``ast.parse`` are the
    way to go and are not flagged.

Running (the rest)
    ``CASES`` of the cell, pairs of an input and the value it must give,
    are a gate: a parser that gets one wrong earns nothing here. Then
    payloads — built in, and the cell's ``PAYLOADS`` and ``REFUSED`` —
    must each be refused with the contract's error (``error``, default
    ``ValueError``). Code payloads write a sentinel file when they run: the
    name ``SENTINEL`` in a payload is replaced by the string literal
    ``'sentinel.txt'``, and the payloads run with a fresh folder of the
    scratch folder as the working directory (a relative name, so that no
    part of a temporary path can trip a filter the learner wrote). The file
    is removed before each call and looked for after it, so a payload that
    ran is caught even when the function raised afterwards. Payloads are
    scored by kind (see :mod:`autograder.checks._security`), except that a
    payload that ran costs all of this share.
"""

from __future__ import annotations

import ast
import contextlib
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._security import (
    Case,
    by_kind,
    cut,
    definition_line,
    describe_error,
    forget,
    load_functions,
    malformed,
    raised,
    read_cases,
    short,
)
from autograder.feedback import Finding, Location, make_finding

SENTINEL_NAME = "sentinel.txt"
"""The file code payloads write, relative to the folder they run in."""

RUNNERS = frozenset({"eval", "exec", "compile"})
"""Built-ins that turn text into running code."""

IMPORT = "a call of `__import__`"
OPEN = "a call of `open`"
HIDDEN_IN_DATA = "code inside a dict literal"
SHELL = "a shell command through `os.system`"
ESCAPE = "an escape from eval with empty builtins"

BUILTIN_PAYLOADS: tuple[tuple[str, str], ...] = (
    ("__import__('pathlib').Path(SENTINEL).write_text('ran')", IMPORT),
    ("open(SENTINEL, 'w').write('ran')", OPEN),
    ("{'theme': open(SENTINEL, 'w').write('ran')}", HIDDEN_IN_DATA),
    ("__import__('os').system('echo ran > ' + SENTINEL)", SHELL),
    (
        "[c for c in ().__class__.__base__.__subclasses__()"
        " if c.__name__ == 'catch_warnings'][0]()._module"
        ".__builtins__['open'](SENTINEL, 'w').write('ran')",
        ESCAPE,
    ),
)
"""Payloads every parser meets, with their kinds."""


@dataclass(frozen=True)
class Site:
    """A place in the answer that can run text as code.

    Attributes:
        line: 1-based line.
        name: What is used there.
    """

    line: int
    name: str


def _ast_only(call: ast.Call) -> bool:
    """Tell whether a ``compile`` call only builds a syntax tree."""
    flags = [*call.args[3:4], *(k.value for k in call.keywords if k.arg == "flags")]
    return any("PyCF_ONLY_AST" in ast.unparse(flag) for flag in flags)


def code_runners(source: str) -> list[Site]:
    """Find every use of ``eval``, ``exec`` or ``compile`` in the answer.

    Args:
        source: The answer's text.

    Returns:
        The places, in line order.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    sites: set[Site] = set()
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "compile"
            and _ast_only(node)
        ):
            allowed.add(id(node.func))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Name)
            and node.id in RUNNERS
            and id(node) not in allowed
        ):
            sites.add(Site(node.lineno, node.id))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in RUNNERS
            and isinstance(node.value, ast.Name)
            and node.value.id in {"builtins", "__builtins__"}
        ):
            sites.add(Site(node.lineno, f"builtins.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "builtins":
            sites.update(
                Site(node.lineno, alias.name)
                for alias in node.names
                if alias.name in RUNNERS
            )
    return sorted(sites, key=lambda site: (site.line, site.name))


@register_check
class NoEvalCheck(Check):
    """Read the answer for eval and exec; run the parser on code payloads.

    The score: ``static`` per cent when the answer holds no eval, exec or
    compile; the rest for the share of payload kinds refused, provided every
    case of the cell parses to the value it should (otherwise nothing). A
    payload that runs costs the whole running share: code that runs once
    can do anything.

    Options:
        function: The parser, called as ``function(text)`` (required).
        error: Names of the error classes that count as a refusal
            (default ``["ValueError"]``; subclasses count too).
        static: Per cent of the points for an answer without eval, exec
            or compile (default 50).
        builtin_payloads: Run the built-in payloads besides the cell's
            (default true).
    """

    kind = "no-eval"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.function: str = parsed.text("function")
        self.error = parsed.text_list("error", ["ValueError"])
        self.static = parsed.integer("static", 50)
        self.builtin = parsed.flag("builtin_payloads", default=True)
        parsed.finish()
        if self.static > 100:
            raise ValueError("no-eval option 'static' must be ≤ 100")
        if not self.error:
            raise ValueError("no-eval option 'error' must name a class")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "no eval of input: read, then run with code payloads"

    def run(self, context: CheckContext) -> CheckResult:
        """Read the answer, then call the parser with every case and payload.

        Args:
            context: The answer and the graded cell, which holds the cases.

        Returns:
            The share earned, what runs code and which payloads got through.
        """
        try:
            material = read_cases(
                context.tests,
                {
                    "CASES": "valid input",
                    "PAYLOADS": "the cell's code payloads",
                    "REFUSED": "input that is no valid literal",
                },
            )
            cases = [_pair(case) for case in material["CASES"]]
        except ValueError as error:
            return malformed(self.label, error)
        if not cases:
            return malformed(self.label, ValueError("CASES lists no valid input"))
        answer = context.answer
        sites = code_runners(answer.source)
        findings: list[Finding] = [
            make_finding("security.eval-used", answer.at(site.line), name=site.name)
            for site in sites
        ]
        functions, stop = load_functions(answer, [self.function])
        if stop is not None:
            return stop
        folder = Path(tempfile.mkdtemp(prefix="payloads-", dir=context.workdir))
        try:
            runner = _Runner(self, functions[self.function], folder, context)
            gate = runner.cases(cases)
            if gate:
                return CheckResult(0.0, tuple(findings + gate))
            payloads = self._payloads(material)
            beaten, failures = runner.payloads(payloads)
        finally:
            forget(answer)
        return self._result(findings, failures, beaten, payloads, not sites)

    def _payloads(self, material: dict[str, list[Case]]) -> list[Case]:
        builtin = [Case(text, kind) for text, kind in BUILTIN_PAYLOADS]
        return [
            *(builtin if self.builtin else []),
            *material["PAYLOADS"],
            *material["REFUSED"],
        ]

    def _result(
        self,
        findings: list[Finding],
        failures: list[Finding],
        beaten: list[str],
        payloads: list[Case],
        clean: bool,
    ) -> CheckResult:
        kinds = len(by_kind(payloads))
        share = (kinds - len(beaten)) / kinds if kinds else 1.0
        if any(finding.id == "security.eval-ran" for finding in failures):
            share = 0.0  # one payload that runs is enough to own the process
        weight = self.static / 100
        fraction = weight * clean + (1 - weight) * share
        findings += cut(failures, len(failures))
        if beaten:
            findings.append(
                make_finding(
                    "security.eval-kinds-beaten",
                    defended=kinds - len(beaten),
                    total=kinds,
                    beaten="; ".join(beaten),
                )
            )
        if not findings:
            findings.append(
                make_finding(
                    "security.eval-clean",
                    function=self.function,
                    payloads=len(payloads),
                )
            )
        return CheckResult(fraction, tuple(findings))


def _pair(case: Case) -> Case:
    """Check that a case is an (input, expected value) pair."""
    value = case.value
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)):
        raise ValueError("each of CASES must be a pair (input text, expected value)")
    return case


class _Runner:
    """Calls the parser with the sentinel file watched."""

    def __init__(
        self,
        check: NoEvalCheck,
        function: Callable[..., Any],
        folder: Path,
        context: CheckContext,
    ) -> None:
        self.check = check
        self.function = function
        self.sentinel = folder / SENTINEL_NAME
        self.context = context
        answer = context.answer
        self.where: Location = answer.at(definition_line(answer.source, check.function))
        self.error_text = " or ".join(f"`{name}`" for name in check.error)

    def cases(self, cases: list[Case]) -> list[Finding]:
        """Call the parser with valid input; say where it went wrong.

        Args:
            cases: Pairs of input and expected value.

        Returns:
            A finding per case it got wrong.
        """
        failures = []
        for number, case in enumerate(cases, 1):
            self.context.on_event({"test": f"{self.check.function}: case {number}"})
            text, expected = case.value
            try:
                got = self.function(text)
            except Exception as error:  # noqa: BLE001 - learner code may raise anything
                outcome = describe_error(error)
            else:
                if isinstance(got, type(expected)) and got == expected:
                    continue
                outcome = f"returned {short(got)}"
            shown = "its expected value" if case.hidden else short(expected)
            failures.append(
                make_finding(
                    "security.eval-case-failed",
                    self.where,
                    case=case.shown("input") if case.hidden else f"`{short(text)}`",
                    function=self.check.function,
                    outcome=outcome,
                    expected=shown,
                )
            )
        return cut(failures, len(failures))

    def payloads(self, payloads: list[Case]) -> tuple[list[str], list[Finding]]:
        """Call the parser with each payload, watching the sentinel file.

        Args:
            payloads: The payloads.

        Returns:
            The kinds some payload got through, and a finding per payload.
        """
        literal = repr(SENTINEL_NAME)
        beaten: list[str] = []
        failures: list[Finding] = []
        with contextlib.chdir(self.sentinel.parent):
            for number, case in enumerate(payloads, 1):
                self._try(number, case, literal, beaten, failures)
        self.sentinel.unlink(missing_ok=True)
        return beaten, failures

    def _try(
        self,
        number: int,
        case: Case,
        literal: str,
        beaten: list[str],
        failures: list[Finding],
    ) -> None:
        """Call the parser with one payload; note it if it got through."""
        self.context.on_event({"test": f"{self.check.function}: payload {number}"})
        text = str(case.value).replace("SENTINEL", literal)
        self.sentinel.unlink(missing_ok=True)
        outcome = self._call(text)
        if self.sentinel.exists():
            finding_id, outcome = "security.eval-ran", "ran it"
        elif outcome is None:
            return
        else:
            finding_id = "security.eval-not-refused"
        failures.append(
            make_finding(
                finding_id,
                self.where,
                case=case.shown("payload"),
                function=self.check.function,
                outcome=outcome,
                error=self.error_text,
            )
        )
        if case.kind not in beaten:
            beaten.append(case.kind)

    def _call(self, text: str) -> str | None:
        """Call the parser once; say what it did unless it refused."""
        try:
            got = self.function(text)
        except Exception as error:  # noqa: BLE001 - learner code may raise anything
            if raised(error, self.check.error):
                return None
            return f"{describe_error(error)} instead of {self.error_text}"
        return f"returned {short(got)} instead of raising {self.error_text}"
