"""Grade a whole assignment in parallel, and store it with stock nbgrader.

Submissions are graded several at once: each worker thread drives one
sandboxed supervisor for the whole batch. The supervisor never runs learner
code itself: every graded cell of every submission runs in fresh children,
confined by Landlock to a scratch folder of their own, swept and removed
after the cell, so nothing of one student's run is there for the next
(starting a supervisor costs about a second, more than grading a cell).
As each verdict arrives, the
grading thread runs nbgrader's own ``Autograde`` for that student — the same
converter ``nbgrader autograde`` runs — whose :class:`GradeOutOfKernel` step
finds the verdict already computed and whose ``SaveAutoGrades`` step writes
the gradebook, one student at a time, from one thread. A submission that
cannot be read or graded is recorded with its reason; the batch goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps.api import NbGraderAPI
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder._engine import load_exercise
from autograder._errors import AutograderError, ConfigError
from autograder._settings import Settings
from autograder.nbgrader import _verdicts
from autograder.nbgrader._preprocessor import course_hidden_paths, gradebook_tests
from autograder.nbgrader._submission import (
    course_tests,
    grade_submission,
    read_submission,
    verdict_key,
)
from autograder.notebook._reader import _load
from autograder.sandbox import SandboxSession, detect_backend
from autograder.sandbox._landlock import abi_version
from autograder.spec import ExerciseSpec

logger = logging.getLogger(__name__)

CONFIG_FILE = "nbgrader_config.py"


@dataclass(frozen=True)
class Problem:
    """Something wrong with one student's submission.

    Attributes:
        student: The student id.
        reason: What is wrong, in words.
        graded: Whether the submission was graded all the same.
    """

    student: str
    reason: str
    graded: bool


@dataclass
class BatchResult:
    """What a batch grading did.

    Attributes:
        assignment: The assignment.
        backend: The sandbox used, and why.
        scores: Points per student graded, from the gradebook.
        max_score: Points available.
        problems: Failures and oddities, a line per student and problem.
        seconds: Wall time.
    """

    assignment: str
    backend: str
    scores: dict[str, float] = field(default_factory=dict)
    max_score: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failures(self) -> list[Problem]:
        """Problems that kept a submission from being graded."""
        return [problem for problem in self.problems if not problem.graded]


def load_config(root: Path) -> Config:
    """Read the course's ``nbgrader_config.py`` with the course root set.

    Args:
        root: The course folder.

    Returns:
        nbgrader's configuration.

    Raises:
        ConfigError: There is no configuration file.
    """
    if not (root / CONFIG_FILE).is_file():
        raise ConfigError("--root", str(root), f"no {CONFIG_FILE} in that folder")
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(root.resolve())
    return config


def _students(submitted: Path, assignment: str, only: list[str] | None) -> list[str]:
    if not submitted.is_dir():
        return []
    found = sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())
    return [s for s in found if only is None or s in only]


@dataclass(frozen=True)
class _Verdict:
    student: str
    problems: tuple[str, ...]
    readable: bool


class _Sessions:
    """One sandbox session per worker thread, all closed at the end."""

    def __init__(self, settings: Settings, hidden: tuple[Path, ...]) -> None:
        self.settings = settings
        self.hidden = hidden
        self.local = threading.local()
        self.lock = threading.Lock()
        self.started: list[SandboxSession] = []

    def get(self) -> SandboxSession:
        session: SandboxSession | None = getattr(self.local, "session", None)
        if session is None:
            session = SandboxSession(self.settings, hidden=self.hidden)
            self.local.session = session
            with self.lock:
                self.started.append(session)
        return session

    def close(self) -> None:
        with self.lock:
            for session in self.started:
                session.close()
            self.started.clear()


def _grade_one(
    student: str,
    notebook: Path,
    spec: ExerciseSpec,
    tests: dict[str, str],
    sessions: _Sessions,
) -> _Verdict:
    if not notebook.is_file():
        return _Verdict(
            student, (f"no submitted notebook {notebook.name}",), readable=True
        )
    try:
        data = _load(notebook)
    except AutograderError as error:
        return _Verdict(student, (str(error),), readable=False)
    submission = read_submission(spec, data["cells"])
    reports = grade_submission(spec, submission, tests, sessions.get())
    key = verdict_key(spec, submission.answers, tests, sessions.settings)
    _verdicts.put(key, reports)
    return _Verdict(student, submission.problems, readable=True)


def grade_assignment(  # noqa: PLR0913
    root: Path,
    assignment: str,
    settings: Settings,
    *,
    jobs: int,
    students: list[str] | None = None,
    on_done: Callable[[str], None] | None = None,
) -> BatchResult:
    """Grade every submission of an assignment and store it in the gradebook.

    Args:
        root: The course folder (with ``nbgrader_config.py``).
        assignment: The assignment, such as ``01_pep8``.
        settings: Limits and caches.
        jobs: Submissions graded at once.
        students: Only these students (default: every one who submitted).
        on_done: Called with each student id when it is finished.

    Returns:
        Scores, problems and timing.
    """
    started = time.monotonic()
    root = root.resolve()
    config = load_config(root)
    api = NbGraderAPI(config=config)
    api.log.propagate = False
    coursedir = api.coursedir
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    spec = load_exercise(source)
    notebook_id = Path(spec.notebook).stem
    tests = course_tests(spec, source / spec.notebook)
    try:
        tests.update(
            gradebook_tests(coursedir.db_url, notebook_id, assignment, list(spec.cells))
        )
    except Exception:  # noqa: BLE001 - no gradebook yet: the source is the truth
        logger.info("no gradebook entries for %s yet; using %s", assignment, source)
    backend = detect_backend(settings.sandbox)
    landlock = f"Landlock ABI {abi_version()}" if abi_version() else "no Landlock"
    logger.info("sandbox: %s (%s; %s)", backend.name, backend.reason, landlock)
    hidden = course_hidden_paths(config)
    submitted = Path(coursedir.format_path(coursedir.submitted_directory, ".", "."))
    result = BatchResult(assignment, f"{backend.name} ({backend.reason}; {landlock})")
    result.max_score = sum(
        check.points for cell in spec.cells.values() for check in cell.checks
    )
    _verdicts.clear()
    sessions = _Sessions(settings, hidden)
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures: dict[Future[_Verdict], str] = {
                pool.submit(
                    _grade_one,
                    student,
                    submitted / student / assignment / spec.notebook,
                    spec,
                    tests,
                    sessions,
                ): student
                for student in _students(submitted, assignment, students)
            }
            for future in as_completed(futures):
                student = futures[future]
                _store(api, assignment, student, future, result)
                if on_done is not None:
                    on_done(student)
    finally:
        sessions.close()
        _verdicts.clear()
    _read_scores(
        coursedir.db_url, assignment, notebook_id, list(futures.values()), result
    )
    result.seconds = time.monotonic() - started
    return result


def _store(
    api: NbGraderAPI,
    assignment: str,
    student: str,
    future: Future[_Verdict],
    result: BatchResult,
) -> None:
    try:
        verdict = future.result()
    except Exception as error:
        logger.exception("grading %s failed", student)
        result.problems.append(
            Problem(student, f"grading failed: {error}", graded=False)
        )
        return
    if not verdict.readable:
        result.problems.extend(
            Problem(student, p, graded=False) for p in verdict.problems
        )
        return
    result.problems.extend(Problem(student, p, graded=True) for p in verdict.problems)
    outcome = api.autograde(assignment, student, force=True, create=True)
    if not outcome.get("success"):
        text = (outcome.get("error") or outcome.get("log") or "unknown error").strip()
        last = text.splitlines()[-1] if text else "unknown error"
        result.problems.append(
            Problem(student, f"nbgrader autograde failed: {last}", graded=False)
        )


def _read_scores(
    db_url: str,
    assignment: str,
    notebook_id: str,
    students: list[str],
    result: BatchResult,
) -> None:
    failed = {problem.student for problem in result.failures}
    with Gradebook(db_url) as gradebook:
        for student in sorted(students):
            if student in failed:
                continue
            try:
                graded = gradebook.find_submission_notebook(
                    notebook_id, assignment, student
                )
            except MissingEntry:
                continue
            result.scores[student] = float(graded.score)
