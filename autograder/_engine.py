"""The grading engine: from an exercise declaration and cell texts to reports.

The engine never executes learner code itself. It decides which checks can
run (see :mod:`autograder._contract`), hands them to a runner as a
:class:`~autograder.runner.Job`, and assembles the results into a
:class:`~autograder.feedback.CellReport`. The runner is a seam: the warm
worker by default, anything with the same call signature in tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from autograder._contract import Readiness, assess
from autograder._errors import SpecError, WorkerError
from autograder._settings import Settings, load_settings
from autograder.checks import CheckResult, TestCode, build_check
from autograder.feedback import (
    CellReport,
    CheckOutcome,
    Finding,
    Mode,
    NotebookReport,
    make_finding,
)
from autograder.notebook import HIDDEN_BEGIN, read_cells
from autograder.runner import Job, WorkerClient
from autograder.spec import CellSpec, ExerciseSpec, find_spec, load_spec

logger = logging.getLogger(__name__)

Runner = Callable[[Job], dict[int, CheckResult]]
"""Runs a job and returns a result per check index."""

_default_clients: dict[Settings, WorkerClient] = {}


def default_runner(settings: Settings | None = None) -> WorkerClient:
    """Return the shared warm worker for these settings, creating it once.

    Args:
        settings: The engine's settings; read from the environment if omitted.

    Returns:
        The worker client.
    """
    settings = settings or load_settings()
    client = _default_clients.get(settings)
    if client is None:
        client = _default_clients[settings] = WorkerClient(settings)
    return client


def validate_spec(spec: ExerciseSpec) -> ExerciseSpec:
    """Check every declared check's kind and options.

    Args:
        spec: The declaration.

    Returns:
        The same declaration.

    Raises:
        SpecError: A check kind is unknown or an option invalid.
    """
    for cell in spec.cells.values():
        for index, check in enumerate(cell.checks):
            try:
                build_check(check.kind, check.options)
            except ValueError as error:
                key = f"cells.{cell.grade_id}.checks[{index}]"
                raise SpecError(spec.path, key, str(error)) from error
    return spec


def load_exercise(path: Path) -> ExerciseSpec:
    """Find, read and validate the declaration for a notebook or folder.

    Args:
        path: A notebook, a folder, or an ``exercise.toml``.

    Returns:
        The validated declaration.
    """
    spec_path = path if path.suffix == ".toml" else find_spec(path)
    return validate_spec(load_spec(spec_path))


def split_tests(grade_id: str, cell_source: str) -> TestCode:
    """Take the test code out of a graded cell's text.

    A first line that is a cell magic (``%%check``) is dropped; everything
    after a ``### BEGIN HIDDEN TESTS`` marker counts as hidden.

    Args:
        grade_id: The cell's grade id.
        cell_source: The cell's full text.

    Returns:
        The test code.
    """
    lines = cell_source.splitlines()
    offset = 0
    if lines and lines[0].startswith("%%"):
        lines, offset = lines[1:], 1
    hidden_from = next(
        (n for n, line in enumerate(lines, 1) if line.strip() == HIDDEN_BEGIN), None
    )
    return TestCode(grade_id, "\n".join(lines) + "\n", offset, hidden_from)


SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
"""nbgrader's solution markers: present in the instructor's source notebook."""


def normalise_answer(source: str | None) -> str | None:
    """Prepare an answer cell's text for the tools, as a module file.

    nbgrader's solution marker lines are dropped (they exist only in the
    instructor's notebook), and the text ends with exactly one newline, as a
    file would: a cell's missing final newline is not the learner's doing.

    Args:
        source: The cell's text, or ``None``.

    Returns:
        The module text, or ``None``.
    """
    if source is None:
        return None
    lines = [
        line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS
    ]
    return "\n".join(lines).rstrip("\n") + "\n" if lines else ""


def _skipped(cell: CellSpec, index: int, reason: str) -> CheckResult:
    kind = cell.checks[index].kind
    return CheckResult(
        0.0, (make_finding("checks.skipped", check=kind, reason=reason),)
    )


@dataclass(frozen=True)
class CellInput:
    """The texts one graded cell is judged on.

    Attributes:
        answers: Text of each answer cell by grade id (``None``: cell missing).
        test_source: The test cell's full text (``None``: cell missing).
        notes: Findings to show above the checks (such as "cell not run").
    """

    answers: Mapping[str, str | None]
    test_source: str | None
    notes: tuple[Finding, ...] = ()


def grade_cell(
    spec: ExerciseSpec, cell_id: str, given: CellInput, runner: Runner
) -> CellReport:
    """Grade one graded test cell.

    Args:
        spec: The exercise's declaration.
        cell_id: Grade id of the test cell.
        given: The answer texts and test cell text to judge.
        runner: Runs the job of checks that can run.

    Returns:
        The cell's report.

    Raises:
        SpecError: The declaration has no such graded cell.
    """
    cell = spec.cells.get(cell_id)
    if cell is None:
        raise SpecError(spec.path, f"cells.{cell_id}", "no such graded cell")
    test_source = given.test_source
    tests = split_tests(cell_id, test_source) if test_source is not None else None
    answers = {key: normalise_answer(text) for key, text in given.answers.items()}
    readiness: dict[str, Readiness] = {
        grade_id: assess(spec.answers[grade_id], answers.get(grade_id))
        for grade_id in {check.answer for check in cell.checks}
    }
    results: dict[int, CheckResult] = {}
    to_run = {}
    for index, check in enumerate(cell.checks):
        ready = readiness[check.answer]
        runs_code = build_check(check.kind, check.options).runs_learner_code
        if (ready.dynamic_ok if runs_code else ready.static_ok) and not (
            runs_code and tests is None
        ):
            to_run[index] = check
        elif tests is None and runs_code:
            results[index] = _skipped(cell, index, "the test cell is missing")
        else:
            results[index] = _skipped(cell, index, "the answer is not ready for it")
    if to_run:
        job = Job(
            checks=to_run,
            answers={
                grade_id: (spec.answers[grade_id], text)
                for grade_id, text in answers.items()
                if text is not None and grade_id in spec.answers
            },
            tests=tests,
        )
        try:
            results.update(runner(job))
        except WorkerError as error:
            logger.warning("grading worker failed: %s", error)
            crash = make_finding("limits.crashed", reason=str(error))
            results.update({index: CheckResult(0.0, (crash,)) for index in to_run})
    blocking = tuple(f for ready in readiness.values() for f in ready.findings)
    outcomes = tuple(
        CheckOutcome(
            check=build_check(check.kind, check.options).label,
            points=round(check.points * results[index].fraction, 2),
            max_points=check.points,
            findings=results[index].findings,
        )
        for index, check in enumerate(cell.checks)
    )
    mode = Mode.GRADING if tests and tests.hidden_from else Mode.PUBLIC
    if tests is None:
        missing = make_finding("answer.cell-missing", cell=cell_id)
        blocking = (missing, *blocking)
    return CellReport(
        exercise=spec.id,
        cell=cell_id,
        title=cell.title,
        mode=mode,
        outcomes=outcomes,
        notes=(*given.notes, *blocking),
        has_hidden_tests=cell.hidden_tests,
    )


def grade_notebook(
    path: Path,
    *,
    spec: ExerciseSpec | None = None,
    runner: Runner | None = None,
) -> NotebookReport:
    """Grade every graded cell of a notebook file, without executing it.

    Args:
        path: The notebook.
        spec: Its declaration; found beside the notebook when omitted.
        runner: Runs jobs; the shared warm worker when omitted.

    Returns:
        The notebook's report.

    Raises:
        NotebookError: The notebook cannot be read.
        SpecError: Its declaration is missing or invalid.
    """
    spec = spec or load_exercise(path)
    run = runner or default_runner().run
    cells = read_cells(path)
    answers = {grade_id: cells.sources.get(grade_id) for grade_id in spec.answers}
    errors = tuple(
        f"{path}: grade id {grade_id!r} is used by more than one cell; "
        "only the first was graded"
        for grade_id in cells.duplicates
    )
    reports = tuple(
        grade_cell(spec, cell_id, CellInput(answers, cells.sources.get(cell_id)), run)
        for cell_id in spec.cells
    )
    return NotebookReport(spec.id, str(path), reports, errors)
