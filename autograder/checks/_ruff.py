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
        return f"ruff {','.join(self.select)} ({self.line_length} columns)"

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
            "--ignore-noqa",  # a `# noqa` comment must not buy style points
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
        completed = subprocess.run(
            self.command(answer.path.name),
            input=answer.source,
            capture_output=True,
            text=True,
            timeout=context.settings.check_timeout,
            check=False,
        )
        if completed.returncode not in (0, 1):
            reason = completed.stderr.strip() or f"exit code {completed.returncode}"
            return CheckResult(
                0.0, (make_finding("checks.error", check=self.label, reason=reason),)
            )
        diagnostics = json.loads(completed.stdout or "[]")
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
