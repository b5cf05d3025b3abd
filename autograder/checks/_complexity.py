"""Size and complexity of each function, measured by ruff with declared limits.

Ruff implements the measures (mccabe's cyclomatic complexity as ``C901``,
pylint's statement, argument, branch and return counts as ``PLR09xx``); this
check only chooses the limits, passes them with ``--config``, and says which
function broke which limit, by how much.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ruff import find_ruff_bin  # type: ignore[import-untyped]

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
    scaled,
)
from autograder.checks._ruff import RuffFailedError, ruff_diagnostics
from autograder.feedback import Finding, make_finding


@dataclass(frozen=True)
class Limit:
    """One measure a function must stay within.

    Attributes:
        option: The check's option that sets it (``max_complexity``).
        rule: The ruff rule that measures it (``C901``).
        setting: The ruff setting that holds the limit.
        noun: What is counted, for the feedback.
        preview: Whether ruff has the rule only in preview mode.
    """

    option: str
    rule: str
    setting: str
    noun: str
    preview: bool = False


LIMITS = (
    Limit("max_complexity", "C901", "lint.mccabe.max-complexity", "complexity"),
    Limit("max_statements", "PLR0915", "lint.pylint.max-statements", "statements"),
    Limit("max_args", "PLR0913", "lint.pylint.max-args", "arguments"),
    Limit("max_branches", "PLR0912", "lint.pylint.max-branches", "branches"),
    Limit("max_returns", "PLR0911", "lint.pylint.max-returns", "returns"),
    Limit(
        "max_nested_blocks",
        "PLR1702",
        "lint.pylint.max-nested-blocks",
        "nesting",
        preview=True,
    ),
    Limit(
        "max_positional_args",
        "PLR0917",
        "lint.pylint.max-positional-args",
        "positional arguments",
        preview=True,
    ),
)
"""Every measure the check knows, in the order the label lists them."""

_MEASURED = re.compile(r"\((?P<found>\d+) > (?P<limit>\d+)\)")


def _functions(source: str) -> list[tuple[int, int, str]]:
    """List every function as (first line, last line, qualified name)."""
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                end = child.end_lineno or child.lineno
                found.append((child.lineno, end, prefix + child.name))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    try:
        visit(ast.parse(source), "")
    except SyntaxError:
        return []
    return found


def _function_at(functions: list[tuple[int, int, str]], line: int) -> str:
    """Name the innermost function that holds a line."""
    holding = [(start, name) for start, end, name in functions if start <= line <= end]
    return max(holding)[1] if holding else "this function"


@register_check
class ComplexityCheck(Check):
    """Hold every function of the answer to declared size and complexity limits.

    Each limit is an option; a limit left at 0 is not checked, and at least
    one must be set. Points fall linearly with the number of breaches.

    Options:
        max_complexity: Cyclomatic complexity per function (ruff C901).
        max_statements: Statements per function (ruff PLR0915).
        max_args: Arguments per function definition (ruff PLR0913).
        max_branches: Branches per function (ruff PLR0912).
        max_returns: ``return`` statements per function (ruff PLR0911).
        max_nested_blocks: Nesting depth of blocks (ruff PLR1702, preview).
        max_positional_args: Positional parameters (ruff PLR0917, preview).
        allowance: Breaches that cost all the points (default 3).
        link: Lesson section the breach findings point to, ``slug#Heading``
            (default: the catalogue's, in lesson 04).
    """

    kind = "complexity"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.limits = {
            limit: value
            for limit in LIMITS
            if (value := parsed.integer(limit.option, 0, minimum=0))
        }
        self.allowance = parsed.integer("allowance", 3, minimum=1)
        self.link = parsed.link()
        parsed.finish()
        if not self.limits:
            names = ", ".join(limit.option for limit in LIMITS)
            raise ValueError(f"complexity needs at least one limit: {names}")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        limits = ", ".join(f"{lim.noun} ≤ {n}" for lim, n in self.limits.items())
        rules = ", ".join(limit.rule for limit in self.limits)
        return f"{limits} (ruff {rules})"

    def command(self, filename: str) -> list[str]:
        """Build the ruff command line.

        Args:
            filename: The name ruff reports.

        Returns:
            The argument list; the source goes to standard input.
        """
        command = [
            find_ruff_bin(),
            "check",
            "--isolated",
            "--no-cache",
            "--quiet",
            "--ignore-noqa",  # a noqa comment must not buy points
            "--output-format=json",
            f"--select={','.join(limit.rule for limit in self.limits)}",
            "--target-version=py311",
            f"--stdin-filename={filename}",
        ]
        for limit, value in self.limits.items():
            command += ["--config", f"{limit.setting} = {value}"]
        if any(limit.preview for limit in self.limits):
            command.append("--preview")
        command.append("-")
        return command

    def run(self, context: CheckContext) -> CheckResult:
        """Measure every function of the answer.

        Args:
            context: The answer and settings.

        Returns:
            Partial credit by the number of limits broken.
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
        functions = _functions(answer.source)
        findings: list[Finding] = []
        for item in diagnostics:
            row = item["location"]["row"]
            measured = _MEASURED.search(item["message"])
            findings.append(
                make_finding(
                    f"complexity.{item['code']}",
                    answer.at(row, item["location"]["column"]),
                    code=item["code"],
                    text=item["message"].rstrip("."),
                    function=_function_at(functions, row),
                    found=measured["found"] if measured else "?",
                    limit=measured["limit"] if measured else "?",
                )
            )
        if self.link:
            findings = [replace(finding, link=self.link) for finding in findings]
        findings.sort(key=lambda f: (f.location.line or 0) if f.location else 0)
        breaches = len(findings)
        if not findings:
            limits = ", ".join(f"{lim.noun} ≤ {n}" for lim, n in self.limits.items())
            findings.append(make_finding("complexity.clean", limits=limits))
        return CheckResult(scaled(breaches, self.allowance), tuple(findings))
