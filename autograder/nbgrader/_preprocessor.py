"""An nbgrader preprocessor that grades without executing the student's notebook.

It takes the place of nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``
(see ``nbgrader_config.py``). For each submitted notebook it reads the answer
cells from the submission, takes every graded cell's text (hidden tests
included) from the gradebook, runs the checks in a sandbox
(:class:`~autograder.sandbox.SandboxSession`), and writes each graded cell's
output: the points as ``text/plain`` — which nbgrader's ``SaveAutoGrades``
stores — and the feedback as ``text/html``. Nothing the student wrote runs in
this process or in a kernel, so nothing it does can change these outputs.
"""

from __future__ import annotations

import atexit
import html
import logging
import threading
from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder._engine import load_exercise
from autograder._settings import Settings, load_settings
from autograder.feedback import CellReport, render_html
from autograder.kernel._magic import lesson_resolver
from autograder.nbgrader import _verdicts
from autograder.nbgrader._submission import (
    course_tests,
    grade_submission,
    read_submission,
    verdict_key,
)
from autograder.sandbox import SandboxSession

logger = logging.getLogger(__name__)


def course_hidden_paths(config: Any) -> tuple[Path, ...]:
    """The folders learner code must not see: the course root and the exchange.

    Args:
        config: nbgrader's configuration.

    Returns:
        The folders, resolved.
    """
    coursedir = CourseDirectory(config=config)
    paths = [Path(coursedir.root).resolve()]
    exchange = config.get("Exchange", {}).get("root")
    if isinstance(exchange, str) and exchange:
        paths.append(Path(exchange).resolve())
    return tuple(paths)


def gradebook_tests(
    db_url: str, notebook_id: str, assignment_id: str, cells: list[str]
) -> dict[str, str]:
    """Read graded cells' text as nbgrader stored it at ``generate_assignment``.

    Args:
        db_url: The gradebook.
        notebook_id: The notebook's name.
        assignment_id: The assignment.
        cells: Grade ids to read.

    Returns:
        Cell text by grade id (those the gradebook has).
    """
    found: dict[str, str] = {}
    with Gradebook(db_url) as gradebook:
        for grade_id in cells:
            try:
                cell = gradebook.find_source_cell(grade_id, notebook_id, assignment_id)
            except MissingEntry:
                continue
            found[grade_id] = cell.source
    return found


_sessions: dict[tuple[Settings, tuple[Path, ...]], SandboxSession] = {}
_sessions_lock = threading.Lock()


def _session(settings: Settings, hidden: tuple[Path, ...]) -> SandboxSession:
    """The sandbox for this grading process, started once for all notebooks.

    ``nbgrader autograde`` grades every student in one process; the
    supervisor never runs learner code (each cell runs in fresh, confined,
    swept children), so one serves them all and is stopped at exit.
    """
    with _sessions_lock:
        session = _sessions.get((settings, hidden))
        if session is None:
            session = _sessions[settings, hidden] = SandboxSession(
                settings, hidden=hidden
            )
        return session


@atexit.register
def _close_sessions() -> None:
    with _sessions_lock:
        for session in _sessions.values():
            session.close()
        _sessions.clear()


def _output(score: float, body: str) -> NotebookNode:
    return NotebookNode(  # type: ignore[no-untyped-call]
        {
            "output_type": "execute_result",
            "execution_count": 1,
            "metadata": {},
            "data": {"text/plain": f"{score:g}", "text/html": body},
        }
    )


class GradeOutOfKernel(NbGraderPreprocessor):  # type: ignore[misc]
    """Grade an autograded notebook's cells in a sandbox, outside any kernel."""

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Grade the notebook and write each graded cell's output.

        Args:
            nb: The sanitized submission (nbgrader's ``autograded/`` copy).
            resources: nbgrader's resources: assignment, notebook, student, gradebook.

        Returns:
            The notebook with outputs, and the resources.
        """
        info = resources["nbgrader"]
        assignment, notebook_id = info["assignment"], info["notebook"]
        student = info.get("student", "?")
        coursedir = CourseDirectory(config=self.config)
        source = Path(
            coursedir.format_path(coursedir.source_directory, ".", assignment)
        )
        spec = load_exercise(source)
        settings = load_settings()
        tests = course_tests(spec, source / spec.notebook)
        tests.update(
            gradebook_tests(info["db_url"], notebook_id, assignment, list(spec.cells))
        )
        submission = read_submission(spec, list(nb.cells))
        for problem in submission.problems:
            self.log.warning("%s/%s: %s", student, notebook_id, problem)
        reports = _verdicts.take(verdict_key(spec, submission.answers, tests, settings))
        if reports is None:
            session = _session(settings, course_hidden_paths(self.config))
            session.start()
            self.log.info(
                "grading %s/%s outside the kernel, sandbox: %s (%s; Landlock ABI %s)",
                student,
                notebook_id,
                session.backend.name,
                session.backend.reason,
                session.landlock,
            )
            reports = grade_submission(spec, submission, tests, session)
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        self._write(nb, reports, folder, settings.output_limit)
        return nb, resources

    def _write(
        self, nb: NotebookNode, reports: dict[str, CellReport], folder: Path, limit: int
    ) -> None:
        resolve = lesson_resolver(folder)
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if (
                cell.cell_type != "code"
                or not meta.get("grade")
                or meta.get("solution")
            ):
                continue
            grade_id = meta.get("grade_id")
            report = reports.get(grade_id) if isinstance(grade_id, str) else None
            if report is None:
                body = (
                    '<div class="course-feedback" data-score="0">This graded cell is '
                    f"not declared by the exercise ({html.escape(str(grade_id))}): "
                    "no points.</div>"
                )
                cell.outputs = [_output(0.0, body)]
            else:
                cell.outputs = [
                    _output(report.score, render_html(report, limit, resolve))
                ]
            cell.execution_count = 1

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Leave cells as they are (all work happens in :meth:`preprocess`).

        Args:
            cell: A cell.
            resources: nbgrader's resources.
            index: The cell's position.

        Returns:
            The cell and resources, unchanged.
        """
        return cell, resources
