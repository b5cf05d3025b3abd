"""Style checked by ruff, with an explicitly selected rule set."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
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
from autograder.feedback import Finding, make_finding


class RuffFailedError(Exception):
    """ruff itself could not run (not a finding about the learner's code)."""


def ruff_diagnostics(
    command: list[str], source: str, timeout: float
) -> list[dict[str, Any]]:
    """Run a ruff command on source given on standard input.

    Every check built on ruff (style, docstrings, complexity) goes through
    here, so they share one way of calling it and of reading its JSON.

    Args:
        command: The ruff command line, ending with ``-`` for standard input.
        source: The code to lint.
        timeout: Seconds ruff may take.

    Returns:
        ruff's diagnostics, as its JSON output format gives them.

    Raises:
        RuffFailedError: ruff exited with an error of its own.
    """
    completed = subprocess.run(
        command,
        input=source,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode not in (0, 1):
        reason = completed.stderr.strip() or f"exit code {completed.returncode}"
        raise RuffFailedError(reason)
    diagnostics: list[dict[str, Any]] = json.loads(completed.stdout or "[]")
    return diagnostics


LINE_LENGTH_RULES = ("E501", "I001")
"""Rules that ``--line-length`` changes: long lines, and how isort wraps."""


@register_check
class RuffCheck(Check):
    """Run ``ruff check`` on the answer with the declared rules only.

    Options:
        select: Rule codes or prefixes to enable (required; ruff enables
            hundreds by default, so nothing is implicit).
        ignore: Codes to leave out of ``select``.
        line_length: Maximum line length (default 79, as PEP 8 says).
        preview: Enable ruff's preview rules (needed for E1, E2, E3).
        allowance: Findings that cost all the points (default 10).
    """

    kind = "ruff"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.select = parsed.text_list("select")
        self.ignore = parsed.text_list("ignore", [])
        self.line_length = parsed.integer("line_length", 79, minimum=20)
        self.preview = parsed.flag("preview", default=False)
        self.allowance = parsed.integer("allowance", 10, minimum=1)
        parsed.finish()
        if not self.select:
            raise ValueError("ruff option 'select' must name at least one rule")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        rules = f"ruff {','.join(self.select)}"
        if any(self._selects(code) for code in LINE_LENGTH_RULES):
            return f"{rules} ({self.line_length} columns)"
        return rules

    def _selects(self, code: str) -> bool:
        """Tell whether a rule code is selected and not ignored."""

        def covers(prefixes: tuple[str, ...]) -> bool:
            return any(p == "ALL" or code.startswith(p) for p in prefixes)

        return covers(self.select) and not covers(self.ignore)

    def command(self, filename: str) -> list[str]:
        """Build the ruff command line.

        Args:
            filename: The name ruff reports, for rules that depend on it.

        Returns:
            The argument list.
        """
        command = [
            find_ruff_bin(),
            "check",
            "--isolated",
            "--no-cache",
            "--quiet",
            "--ignore-noqa",  # a noqa comment must not buy style points
            "--output-format=json",
            f"--select={','.join(self.select)}",
            f"--line-length={self.line_length}",
            "--target-version=py311",
            f"--stdin-filename={filename}",
        ]
        if self.ignore:
            command.append(f"--ignore={','.join(self.ignore)}")
        if self.preview:
            command.append("--preview")
        command.append("-")
        return command

    def run(self, context: CheckContext) -> CheckResult:
        """Lint the answer.

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
        findings: list[Finding] = []
        for item in diagnostics:
            code = item.get("code") or "syntax"
            location = answer.at(item["location"]["row"], item["location"]["column"])
            findings.append(
                make_finding(
                    f"style.{code}",
                    location,
                    code=code,
                    text=item["message"].rstrip("."),
                    limit=self.line_length,
                )
            )
        findings.sort(key=lambda f: (f.location.line or 0) if f.location else 0)
        if not findings:
            findings.append(make_finding("style.clean", rules=",".join(self.select)))
        return CheckResult(scaled(len(diagnostics), self.allowance), tuple(findings))
