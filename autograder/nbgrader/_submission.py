"""One submission, read for grading: answers from the learner, tests from the course.

Both ``nbgrader autograde`` (through :class:`GradeOutOfKernel`) and
``course grade`` read a submission the same way: the answer cells come from
the submitted notebook, the graded cells' text (hidden tests included) from
the course — nbgrader's gradebook, or the source notebook in ``solutions/``
— never from the submission.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder._engine import CellInput, grade_cell
from autograder._errors import WorkerError
from autograder._settings import Settings
from autograder.checks import CheckResult
from autograder.feedback import CellReport, make_finding
from autograder.nbgrader._scrub import hidden_fragments, scrub
from autograder.notebook import read_cells
from autograder.runner import Job
from autograder.sandbox import SandboxSession
from autograder.spec import ExerciseSpec

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """What one learner handed in for one notebook, and what is odd about it.

    Attributes:
        answers: Answer cell text by grade id (``None``: no such cell).
        problems: Structural problems found (deleted, duplicated, retyped or
            renamed cells), in words for the instructor.
    """

    answers: dict[str, str | None]
    problems: tuple[str, ...] = field(default=())


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def read_submission(spec: ExerciseSpec, cells: list[Any]) -> Submission:  # noqa: C901
    """Pick the answer cells out of a notebook's cells.

    Args:
        spec: The exercise's declaration.
        cells: The notebook's cells (nbformat 4).

    Returns:
        The answers and the problems noticed.
    """
    answers: dict[str, str | None] = {}
    problems: list[str] = []
    seen: set[str] = set()
    for cell in cells:
        if not isinstance(cell, Mapping):
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, Mapping) else None
        if not isinstance(grade_id, str):
            continue
        if grade_id in seen:
            # nbgrader's DeduplicateIds keeps the last one: so does grading.
            problems.append(
                f"cell {grade_id!r} appears more than once; the last one counts"
            )
        seen.add(grade_id)
        if grade_id in spec.answers:
            expected = "markdown" if spec.answers[grade_id].is_markdown else "code"
            if cell.get("cell_type") != expected:
                problems.append(
                    f"answer cell {grade_id!r} was turned into {cell.get('cell_type')}"
                )
            answers[grade_id] = _source(cell)
        elif grade_id not in spec.cells:
            known = sorted({*spec.answers, *spec.cells})
            if meta.get("solution") or meta.get("grade"):
                problems.append(
                    f"unknown graded cell {grade_id!r} (expected one of {known})"
                )
    for grade_id in spec.answers:
        if grade_id not in answers:
            problems.append(
                f"answer cell {grade_id!r} is missing (deleted, or grade id changed)"
            )
            answers[grade_id] = None
    for grade_id in spec.cells:
        if grade_id not in seen:
            problems.append(
                f"graded cell {grade_id!r} is missing; the course's copy is used"
            )
    return Submission(answers, tuple(problems))


def course_tests(spec: ExerciseSpec, source_notebook: Path) -> dict[str, str]:
    """Read the graded cells' full text from the course's source notebook.

    Args:
        spec: The declaration.
        source_notebook: The notebook in ``solutions/``.

    Returns:
        Cell text by grade id, hidden tests included.
    """
    cells = read_cells(source_notebook)
    return {cell: cells.sources[cell] for cell in spec.cells if cell in cells.sources}


def verdict_key(
    spec: ExerciseSpec,
    answers: Mapping[str, str | None],
    tests: Mapping[str, str],
    settings: Settings,
) -> str:
    """Name a grading by everything that decides its outcome.

    Args:
        spec: The declaration.
        answers: The answers.
        tests: The graded cells' text.
        settings: Limits.

    Returns:
        A hex digest.
    """
    payload = {
        "spec": spec.path.read_text(encoding="utf-8"),
        "answers": dict(answers),
        "tests": dict(tests),
        "limits": [
            settings.check_timeout,
            settings.cpu_limit,
            settings.memory_limit_mb,
            settings.process_limit,
            settings.file_size_limit_mb,
        ],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def grade_submission(
    spec: ExerciseSpec,
    submission: Submission,
    tests: Mapping[str, str],
    session: SandboxSession,
) -> dict[str, CellReport]:
    """Grade every graded cell of a submission in a sandbox session.

    Args:
        spec: The declaration.
        submission: The learner's answers.
        tests: The graded cells' text from the course.
        session: The sandbox session that runs the jobs.

    Returns:
        A report per graded cell, hidden-test text scrubbed from findings.
    """
    reports: dict[str, CellReport] = {}
    for cell_id in spec.cells:
        source = tests.get(cell_id)
        given = CellInput(submission.answers, source)
        report = grade_cell(spec, cell_id, given, _runner(session))
        reports[cell_id] = scrub(report, hidden_fragments(source or ""))
    return reports


def _runner(session: SandboxSession):  # type: ignore[no-untyped-def]
    def run(job: Job) -> dict[int, CheckResult]:
        try:
            return session.run(job)
        except WorkerError as error:
            logger.warning("sandbox failed: %s", error)
            finding = make_finding("sandbox.failed", reason=str(error))
            return {index: CheckResult(0.0, (finding,)) for index in job.checks}

    return run
