"""Docstrings checked by two tools: ruff's D rules for form, pydoclint for content.

Ruff's ``D`` rules (pydocstyle's, under a named convention such as Google's)
ask whether every public module, class and function has a docstring and
whether it is laid out as the convention says. pydoclint then compares what
each docstring claims with the code: the ``Args:`` with the signature, the
``Returns:`` with the return statements, the ``Raises:`` with the raise
statements. A function without a docstring gives pydoclint nothing to
compare, so that check counts it as a problem instead of as a pass.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from pydoclint.visitor import Visitor  # type: ignore[import-untyped]

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
    scaled,
)
from autograder.checks._ruff import RuffCheck, RuffFailedError, ruff_diagnostics
from autograder.feedback import Finding, make_finding

CONVENTIONS = ("google", "numpy", "pep257")
"""The docstring conventions ruff knows (``lint.pydocstyle.convention``)."""

_TOOL_LINK = re.compile(r"\s*\(Or could be other formatting issues: [^)]*\)\.?")
_EMPTY_TYPE = re.compile(r": (?=[,\]])")
_SUPERSEDED = {101: 103, 102: 103, 503: 501}
"""A pydoclint code that says less than another one on the same definition."""
_SIGNATURE_TYPES = (106, 107, 108)
"""pydoclint codes about annotations being present or absent."""
_DOCSTRING_TYPES = (109, 110, 111)
"""pydoclint codes about types in ``Args:`` being present or absent."""


class _Options(Options):
    """Options, plus a string chosen from a fixed set."""

    def choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        """Read a string that must be one of ``allowed``.

        Args:
            key: The option.
            default: Its value when absent.
            allowed: The values it may take.

        Returns:
            The string.

        Raises:
            ValueError: It is not one of the allowed values.
        """
        value: str = self.text(key, default)
        if value not in allowed:
            raise ValueError(
                f"{self._kind} option {key!r} must be one of {', '.join(allowed)}"
            )
        return value


@register_check
class DocstringStyleCheck(Check):
    """Run ruff's docstring rules (``D``) under a docstring convention.

    The convention (``google`` by default) switches off the D rules that
    contradict it and makes ruff read sections (``Args:``, ``Returns:``) the
    way the convention writes them, so that, for instance, an argument left
    out of ``Args:`` is reported (D417).

    Options:
        convention: ``google`` (default), ``numpy`` or ``pep257``.
        select: Rule codes or prefixes (default ``["D"]``).
        ignore: Codes to leave out of ``select``.
        allowance: Findings that cost all the points (default 10).
    """

    kind = "docstring-style"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = _Options(self.kind, options)
        self.convention = parsed.choice("convention", "google", CONVENTIONS)
        self.select = parsed.text_list("select", ["D"])
        self.ignore = parsed.text_list("ignore", [])
        self.allowance = parsed.integer("allowance", 10, minimum=1)
        parsed.finish()
        if not self.select:
            raise ValueError(f"{self.kind} option 'select' must name a rule")
        self._ruff = RuffCheck(
            {
                "select": list(self.select),
                "ignore": list(self.ignore),
                "allowance": self.allowance,
            }
        )

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"ruff {','.join(self.select)} ({self.convention} convention)"

    def command(self, filename: str) -> list[str]:
        """Build the ruff command line: ruff's, plus the convention.

        Args:
            filename: The name ruff reports.

        Returns:
            The argument list; the source comes on standard input.
        """
        *command, stdin = self._ruff.command(filename)
        convention = f'lint.pydocstyle.convention = "{self.convention}"'
        return [*command, "--config", convention, stdin]

    def run(self, context: CheckContext) -> CheckResult:
        """Lint the answer's docstrings.

        Args:
            context: The answer and settings.

        Returns:
            Partial credit by the number of findings left.
        """
        answer = context.answer
        try:
            diagnostics = ruff_diagnostics(
                self.command(answer.path.name),
                answer.source,
                context.settings.check_timeout,
            )
        except RuffFailedError as error:
            finding = make_finding("checks.error", check=self.label, reason=str(error))
            return CheckResult(0.0, (finding,))
        findings = [
            make_finding(
                f"docstrings.{item.get('code') or 'syntax'}",
                answer.at(item["location"]["row"], item["location"]["column"]),
                code=item.get("code") or "syntax",
                text=item["message"].rstrip("."),
            )
            for item in diagnostics
        ]
        findings.sort(key=lambda f: (f.location.line or 0) if f.location else 0)
        if not findings:
            findings.append(
                make_finding(
                    "docstrings.style-clean",
                    rules=",".join(self.select),
                    convention=self.convention,
                )
            )
        return CheckResult(scaled(len(diagnostics), self.allowance), tuple(findings))


def _is_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _is_accessor(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Tell a property setter or deleter, or an ``@overload``, from a function."""
    for decorator in node.decorator_list:
        text = ast.unparse(decorator)
        if text.endswith((".setter", ".deleter")) or text.split(".")[-1] == "overload":
            return True
    return False


def undocumented(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Find the public functions and methods that have no docstring.

    Public means what ruff's D1 rules mean: a name without a leading
    underscore, or a dunder such as ``__init__``, defined at the top level or
    in a public class. Functions nested in functions are left out.

    Args:
        tree: The module.

    Returns:
        The definitions, in the order they appear.
    """
    missing: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    scopes: list[list[ast.stmt]] = [tree.body]
    while scopes:
        for node in scopes.pop():
            if isinstance(node, ast.ClassDef) and _is_public(node.name):
                scopes.append(node.body)
            elif (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and _is_public(node.name)
                and not _is_accessor(node)
                and ast.get_docstring(node) is None
            ):
                missing.append(node)
    return sorted(missing, key=lambda node: node.lineno)


def _tidy(text: str) -> str:
    """Drop pydoclint's link to its manual and its empty type placeholders."""
    return _EMPTY_TYPE.sub("", _TOOL_LINK.sub("", text)).strip()


@register_check
class PydoclintCheck(Check):
    """Compare each docstring with its code, using pydoclint.

    pydoclint runs in-process on the answer's syntax tree, and ``# noqa``
    comments are not honoured: a comment must not buy points. The score
    counts *definitions* that have a problem, not messages, since pydoclint
    often says one thing twice (an argument both missing and different).

    Options:
        style: ``google`` (default), ``numpy`` or ``sphinx``.
        skip_short_docstrings: Leave summary-only docstrings unchecked, as
            pydoclint does by default (default false: a function that takes
            arguments, returns or raises must say so in sections).
        check_raises: Compare ``Raises:`` with the raise statements
            (default true).
        check_return_types: Compare documented return types with the return
            annotation (default false: the annotation carries the type).
        type_hints_in_docstring: Require types in ``Args:`` (default false:
            types there are neither required nor refused).
        type_hints_in_signature: Require annotations (default false: they
            are neither required nor refused).
        check_class_attributes: Compare ``Attributes:`` with class-level
            variables (default false: it mostly documents instance ones).
        require_docstrings: Count a public function without a docstring as a
            problem (default true), so that undocumented code earns nothing.
        allowance: Definitions with a problem that cost all the points
            (default 5).
    """

    kind = "pydoclint"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = _Options(self.kind, options)
        self.style = parsed.choice("style", "google", ("google", "numpy", "sphinx"))
        self.settings = {
            "style": self.style,
            "skipCheckingShortDocstrings": parsed.flag(
                "skip_short_docstrings", default=False
            ),
            "skipCheckingRaises": not parsed.flag("check_raises", default=True),
            "checkReturnTypes": parsed.flag("check_return_types", default=False),
            "argTypeHintsInDocstring": parsed.flag(
                "type_hints_in_docstring", default=False
            ),
            "argTypeHintsInSignature": parsed.flag(
                "type_hints_in_signature", default=False
            ),
            "checkClassAttributes": parsed.flag(
                "check_class_attributes", default=False
            ),
            # ruff's D107 asks __init__ for a docstring; pydoclint must allow it.
            "allowInitDocstring": True,
        }
        # pydoclint reads False as "forbid": not asking for types ignores them.
        self.ignored = {
            *(() if self.settings["argTypeHintsInDocstring"] else _DOCSTRING_TYPES),
            *(() if self.settings["argTypeHintsInSignature"] else _SIGNATURE_TYPES),
        }
        self.require_docstrings = parsed.flag("require_docstrings", default=True)
        self.allowance = parsed.integer("allowance", 5, minimum=1)
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"pydoclint --style={self.style}"

    def violations(self, tree: ast.Module) -> list[Any]:
        """Run pydoclint's visitor over a module.

        Args:
            tree: The parsed module.

        Returns:
            pydoclint's ``Violation`` objects, none suppressed.
        """
        visitor = Visitor(**self.settings)
        visitor.visit(tree)
        return [v for v in visitor.violations if v.code not in self.ignored]

    def run(self, context: CheckContext) -> CheckResult:
        """Compare the answer's docstrings with its code.

        Args:
            context: The answer.

        Returns:
            Partial credit by the number of definitions with a problem.
        """
        answer = context.answer
        try:
            tree = ast.parse(answer.source)
        except SyntaxError as error:
            finding = make_finding(
                "answer.syntax-error", answer.at(error.lineno), error=error.msg
            )
            return CheckResult(0.0, (finding,))
        violations = self.violations(tree)
        codes_at: dict[int, set[int]] = {}
        for violation in violations:
            codes_at.setdefault(violation.line, set()).add(violation.code)
        findings = [
            self._finding(answer, violation)
            for violation in violations
            if _SUPERSEDED.get(violation.code) not in codes_at[violation.line]
        ]
        problems = set(codes_at)
        if self.require_docstrings:
            for node in undocumented(tree):
                problems.add(node.lineno)
                findings.append(
                    make_finding(
                        "docstrings.nothing-to-compare",
                        answer.at(node.lineno),
                        name=node.name,
                    )
                )
        findings.sort(key=lambda f: (f.location.line or 0) if f.location else 0)
        if not findings:
            findings.append(make_finding("docstrings.content-clean"))
        return CheckResult(scaled(len(problems), self.allowance), tuple(findings))

    @staticmethod
    def _finding(answer: Answer, violation: Any) -> Finding:
        subject = violation.msgPrefix.strip().rstrip(":") or "This definition"
        text = _tidy(f"{violation.violationMsg} {violation.msgPostfix}")
        detail = _tidy(violation.msgPostfix)
        return make_finding(
            f"docstrings.{violation.fullErrorCode}",
            answer.at(violation.line or None),
            code=violation.fullErrorCode,
            subject=subject,
            text=text.rstrip("."),
            detail=detail.rstrip(".") or "see the docstring",
        )
