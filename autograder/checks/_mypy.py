"""Types checked by mypy, in-process, with a persistent cache."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
    scaled,
)
from autograder.feedback import Finding, make_finding

_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?:(?P<column>\d+):)? (?P<level>error|note): "
    r"(?P<text>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$"
)

_SILENCER = re.compile(r"#\s*(?:type:\s*ignore\b.*|mypy:.*)$")
"""Comments that switch mypy off for a line or a whole module."""

BASE_FLAGS = (
    "--no-error-summary",
    "--show-column-numbers",
    "--show-error-codes",
    "--hide-error-context",
    "--no-color-output",
    "--no-pretty",
    "--python-version=3.11",
)


@register_check
class MypyCheck(Check):
    """Type-check the answer with mypy (``--strict`` unless told otherwise).

    Each set of flags gets its own cache folder under the settings' cache
    directory, so exercises with different flags never invalidate each other's
    warm cache.

    Options:
        strict: Pass ``--strict`` (default true).
        flags: More mypy flags, such as ``--disallow-any-explicit``.
        allowance: Errors that cost all the points (default 5).
    """

    kind = "mypy"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        strict = parsed.flag("strict", default=True)
        self.flags = (
            *(("--strict",) if strict else ()),
            *parsed.text_list("flags", []),
        )
        self.allowance = parsed.integer("allowance", 5, minimum=1)
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"mypy {' '.join(self.flags)}".rstrip()

    def arguments(self, context: CheckContext, target: Path | None = None) -> list[str]:
        """Build mypy's argument list for one answer.

        Args:
            context: The answer and settings.
            target: The file to check; the answer's module file when omitted.

        Returns:
            The arguments, cache folder included.
        """
        digest = hashlib.sha256(" ".join(self.flags).encode()).hexdigest()[:12]
        cache = context.settings.mypy_cache_dir / digest
        # Only the declared flags count: never a config file found nearby.
        config = context.workdir / "mypy.ini"
        config.write_text("[mypy]\n", encoding="utf-8")
        return [
            f"--config-file={config}",
            *self.flags,
            *BASE_FLAGS,
            f"--cache-dir={cache}",
            str(target or context.answer.path),
        ]

    @staticmethod
    def unsilenced(context: CheckContext) -> tuple[Path, list[Finding]]:
        """Write a copy of the answer without comments that silence mypy.

        ``# type: ignore`` and ``# mypy: ...`` comments would let a learner
        switch the check off; each one is a finding, and the copy mypy reads
        has them blanked out (columns and lines unchanged).

        Args:
            context: The answer and its scratch folder.

        Returns:
            The file to check, and a finding per silencing comment.
        """
        findings: list[Finding] = []
        lines = []
        for number, text in enumerate(context.answer.source.splitlines(), start=1):
            line = text
            match = _SILENCER.search(line)
            if match:
                findings.append(
                    make_finding(
                        "types.silenced",
                        context.answer.at(number, match.start() + 1),
                        comment=match.group(0).strip(),
                    )
                )
                line = line[: match.start()] + " " * len(match.group(0))
            lines.append(line)
        folder = context.workdir / "mypy-input"
        folder.mkdir(exist_ok=True)
        target = folder / context.answer.path.name
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return target, findings

    def run(self, context: CheckContext) -> CheckResult:
        """Type-check the answer.

        Args:
            context: The answer and settings.

        Returns:
            Partial credit by the number of errors.
        """
        from mypy import api

        target, silenced = self.unsilenced(context)
        stdout, stderr, status = api.run(self.arguments(context, target))
        if status == 2:
            reason = (stderr or stdout).strip()
            return CheckResult(
                0.0, (make_finding("checks.error", check=self.label, reason=reason),)
            )
        answer_name = context.answer.path.name
        findings: list[Finding] = list(silenced)
        for raw in stdout.splitlines():
            match = _LINE.match(raw)
            if not match or match["level"] != "error":
                continue
            in_answer = match["path"].endswith(answer_name)
            location = (
                context.answer.at(int(match["line"]), int(match["column"] or 0) or None)
                if in_answer
                else None
            )
            code = match["code"] or "error"
            findings.append(
                make_finding(f"types.{code}", location, code=code, text=match["text"])
            )
        errors = len(findings)
        if not findings:
            findings.append(make_finding("types.clean", flags=" ".join(self.flags)))
        return CheckResult(scaled(errors, self.allowance), tuple(findings))
