"""The IPython extension: ``%%check`` in a graded test cell of an exercise.

``%load_ext autograder`` registers the ``%%check GRADE_ID`` cell magic and a
hook that remembers the text of every cell as it runs. A check then grades the
answer cells as the learner last ran them — edits that were run count even if
the notebook is unsaved — and falls back to the saved file for cells this
kernel has not run (saying so when the front end could have told us).

The magic's value is a :class:`Feedback`: HTML in the notebook, and as plain
text the number of points earned, which is how nbgrader reads partial credit.
It never writes to stderr, since nbgrader scores a cell zero for that.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder._engine import (
    CellInput,
    Runner,
    default_runner,
    grade_cell,
    load_exercise,
)
from autograder._errors import AutograderError
from autograder._settings import load_settings
from autograder.feedback import (
    CellReport,
    Finding,
    Location,
    make_finding,
    render_html,
    render_text,
)
from autograder.notebook import read_cells
from autograder.spec import ExerciseSpec

logger = logging.getLogger(__name__)

REPORT_LISTENERS: list[Callable[[CellReport], None]] = []
"""Called with every report a check produces (the progress store listens here)."""

LESSON_SEARCH_DEPTH = 4

KERNEL_LOG = "kernel.log"
"""The course's log file in a learner's kernel, in the cache folder."""


class Feedback:
    """What a check shows: HTML for people, the score as text for nbgrader.

    Args:
        report: The cell's report, or ``None`` when grading could not start.
        html_text: The rendered HTML.
        text: The plain-text rendering, for terminals.
    """

    def __init__(self, report: CellReport | None, html_text: str, text: str) -> None:
        """Hold a rendered report."""
        self.report = report
        self.html = html_text
        self.text = text

    @property
    def score(self) -> float:
        """Points earned (zero when grading could not start)."""
        return self.report.score if self.report else 0.0

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        """Return the score alone: nbgrader reads partial credit from it."""
        return f"{self.score:g}"


def lesson_resolver(start: Path) -> Callable[[str], str | None]:
    """Make a resolver from ``slug#anchor`` to a link relative to a notebook.

    It looks for ``lessons/<slug>.ipynb`` in the notebook's folder and up to
    a few parents, and gives no link when the lesson does not exist there
    (for example in nbgrader's ``autograded/`` folders).

    Args:
        start: The folder of the notebook the feedback is shown in.

    Returns:
        The resolver.
    """

    def resolve(link: str) -> str | None:
        slug, _, anchor = link.partition("#")
        folder = start
        for _ in range(LESSON_SEARCH_DEPTH):
            lesson = folder / "lessons" / f"{slug}.ipynb"
            if lesson.is_file():
                href = os.path.relpath(lesson, start).replace(os.sep, "/")
                return f"{href}#{anchor}" if anchor else href
            folder = folder.parent
        return None

    return resolve


class CellTracker:
    """Remembers the text of each cell as it runs, by the front end's cell id.

    Front ends that send no cell ids (nbclient, so ``nbgrader validate`` and
    ``autograde``) still leave the set of texts that ran, which tells which
    notebook file in the folder is the one being run.
    """

    def __init__(self) -> None:
        """Start with nothing seen."""
        self.sources: dict[str, str] = {}
        self.executed: set[str] = set()

    @property
    def has_ids(self) -> bool:
        """Whether the front end sends cell ids (JupyterLab does; nbclient not)."""
        return bool(self.sources)

    def pre_run_cell(self, info: Any) -> None:
        """IPython ``pre_run_cell`` hook.

        Args:
            info: IPython's ``ExecutionInfo``.
        """
        cell_id = getattr(info, "cell_id", None)
        text = str(info.raw_cell)
        self.executed.add(text)
        if cell_id:
            self.sources[str(cell_id)] = text


class Checker:
    """Grades a test cell from inside the learner's kernel.

    Args:
        tracker: The cell-text tracker registered with IPython.
        runner: Runs jobs; the shared warm worker when omitted.
        cwd: Folder of the notebook; the kernel's working directory when omitted.
    """

    def __init__(
        self,
        tracker: CellTracker,
        runner: Runner | None = None,
        cwd: Path | None = None,
    ) -> None:
        """Prepare the checker."""
        self.tracker = tracker
        self.runner = runner
        self.cwd = cwd

    def _notebook(self, spec: ExerciseSpec) -> Path:
        """Find the notebook file being run.

        JupyterLab tells the kernel its notebook (``JPY_SESSION_NAME``).
        Without that, the file is the one in the folder whose answer cells
        are texts this kernel ran (a renamed copy is found too); failing
        that, the notebook the declaration names.
        """
        default = spec.notebook_path
        session = os.environ.get("JPY_SESSION_NAME", "")
        if session.endswith(".ipynb"):
            candidate = Path(session)
            if not candidate.is_absolute():
                candidate = (self.cwd or Path.cwd()) / candidate.name
            same_folder = candidate.parent.resolve() == default.parent.resolve()
            if candidate.is_file() and same_folder:
                return candidate
        if self.tracker.executed:
            others = sorted(default.parent.glob("*.ipynb"))
            for candidate in [default, *[p for p in others if p != default]]:
                if self._ran_answers_of(candidate, spec):
                    return candidate
        return default

    def _ran_answers_of(self, notebook: Path, spec: ExerciseSpec) -> bool:
        try:
            sources = read_cells(notebook).sources
        except AutograderError:
            return False
        texts = [
            sources.get(answer_id)
            for answer_id, answer in spec.answers.items()
            if not answer.is_markdown  # a Markdown cell is rendered, never run
        ]
        return bool(texts) and all(
            text is not None and text in self.tracker.executed for text in texts
        )

    def check(self, grade_id: str, cell_source: str) -> Feedback:
        """Grade one test cell.

        Args:
            grade_id: The test cell's grade id (the magic's argument).
            cell_source: The test cell's body (the tests).

        Returns:
            The feedback to display.
        """
        settings = load_settings()
        folder = self.cwd or Path.cwd()
        try:
            spec = load_exercise(folder)
            notebook = self._notebook(spec)
            saved = read_cells(notebook)
            answers: dict[str, str | None] = {}
            notes: list[Finding] = []
            graded = spec.cells.get(grade_id)
            used = {c.answer for c in graded.checks} if graded else set(spec.answers)
            for answer_id, answer in spec.answers.items():
                cell_id = saved.cell_ids.get(answer_id)
                if cell_id and cell_id in self.tracker.sources:
                    answers[answer_id] = self.tracker.sources[cell_id]
                    continue
                answers[answer_id] = saved.sources.get(answer_id)
                if answer.is_markdown and answer_id not in used:
                    continue  # say it only for the answers this cell checks
                if self.tracker.has_ids and answer_id in saved.sources:
                    # A Markdown cell never reaches the kernel: it is read
                    # from the saved file, and the learner should know.
                    finding = (
                        "answer.markdown-saved"
                        if answer.is_markdown
                        else "answer.not-run"
                    )
                    notes.append(
                        make_finding(finding, Location(answer_id, answer.label))
                    )
            run = self.runner or default_runner(settings).run
            given = CellInput(answers, "%%check\n" + cell_source, tuple(notes))
            report = grade_cell(spec, grade_id, given, run)
        except AutograderError as error:
            logger.debug("check could not start", exc_info=True)
            message = html.escape(str(error))
            return Feedback(
                None,
                '<div class="course-feedback" data-score="0" '
                'style="border-left:4px solid #c62828;padding:0.4em 0.8em">'
                f"<b>The check could not start:</b> {message}</div>",
                f"The check could not start: {error}\n",
            )
        for listener in REPORT_LISTENERS:
            try:
                listener(report)
            except Exception:
                logger.debug("report listener failed", exc_info=True)
        resolve = lesson_resolver(folder)
        return Feedback(
            report,
            render_html(report, settings.output_limit, resolve),
            render_text(report, settings.output_limit),
        )


def keep_course_logs_off_stderr(log_dir: Path | None) -> None:
    """Send the course's log records to a file, never to the kernel's stderr.

    A learner's answer may configure the kernel's root logger
    (``logging.basicConfig(level=logging.DEBUG)``); records of ours that
    reached it would print in the learner's check cell, and nbgrader scores
    a test cell that writes to stderr 0.

    Args:
        log_dir: Folder for ``kernel.log`` (the file is made on the first
            record), or ``None`` to drop the records (the package's
            ``NullHandler`` takes them).
    """
    course = logging.getLogger("autograder")
    course.propagate = False  # the package's NullHandler stays the fallback
    if log_dir is None or any(h.name == KERNEL_LOG for h in course.handlers):
        return
    handler = logging.FileHandler(log_dir / KERNEL_LOG, delay=True, encoding="utf-8")
    handler.name = KERNEL_LOG
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    course.addHandler(handler)


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%check`` and the cell tracker; start the warm worker.

    Args:
        ipython: The running IPython shell.
    """
    tracker = CellTracker()
    checker = Checker(tracker)
    ipython.events.register("pre_run_cell", tracker.pre_run_cell)

    def check(line: str, cell: str) -> Feedback:
        """Grade this cell's tests: ``%%check GRADE_ID``."""
        return checker.check(line.strip(), cell)

    ipython.register_magic_function(check, magic_kind="cell", magic_name="check")
    ipython.user_ns.setdefault("_course_checker", checker)
    from autograder.progress import record_report

    if record_report not in REPORT_LISTENERS:
        REPORT_LISTENERS.append(record_report)
    try:
        settings = load_settings()
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        keep_course_logs_off_stderr(settings.cache_dir)
        default_runner(settings).start()
    except (AutograderError, OSError):
        keep_course_logs_off_stderr(None)
        logger.debug("could not start the grading worker early", exc_info=True)


def unload_ipython_extension(ipython: Any) -> None:
    """Stop listening to cell runs.

    Args:
        ipython: The running IPython shell.
    """
    checker = ipython.user_ns.pop("_course_checker", None)
    if isinstance(checker, Checker):
        ipython.events.unregister("pre_run_cell", checker.tracker.pre_run_cell)
