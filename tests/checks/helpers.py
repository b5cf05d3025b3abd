"""Run a single check against a given answer, with the real tools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder import Settings
from autograder.checks import Answer, CheckContext, CheckResult, TestCode, build_check
from autograder.spec import AnswerSpec

SPEC = AnswerSpec("solution", "solution", "your module", ())


def run_check(
    kind: str,
    options: dict[str, Any],
    source: str,
    *,
    workdir: Path,
    settings: Settings,
    tests: TestCode | None = None,
) -> CheckResult:
    """Write the answer into ``workdir`` and run one check on it in-process."""
    path = workdir / "solution.py"
    path.write_text(source, encoding="utf-8")
    context = CheckContext(
        workdir=workdir,
        answer=Answer(SPEC, source, path),
        answers={"solution": Answer(SPEC, source, path)},
        tests=tests,
        settings=settings,
        on_event=lambda event: None,
    )
    return build_check(kind, options).run(context)
