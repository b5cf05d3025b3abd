"""The team report: many learners' progress, from export files and a gradebook.

A facilitator collects learners' export files in a folder, and/or grades
submissions with nbgrader; :func:`collect_team_report` reads both into one
learners by exercises table. Learners are matched by name, ignoring case and
extra spaces (an export's ``learner``, else its file name; a gradebook
student's id), and a learner found twice is merged cell by cell, keeping the
best score. A file that is not an export, an exercise this course version does
not have, or a learner with no progress at all is said in the report's notes,
never a crash. :func:`write_team_report` writes the table as CSV, the heatmap
as PNG, and both in one HTML page.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from autograder._errors import ProgressError
from autograder.progress._outline import EXERCISE_POINTS, EXERCISES
from autograder.progress._store import CellProgress, timestamp
from autograder.progress._summary import CourseProgress, Status, summarize
from autograder.progress._transfer import merge_cells, read_export

logger = logging.getLogger(__name__)

REPORT_NAME = "team-report"
"""Stem of the files :func:`write_team_report` writes."""


def learner_key(name: str) -> str:
    """Return the key learners are matched by: case and spacing ignored.

    Args:
        name: A learner's name or id.

    Returns:
        The key.
    """
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class LearnerProgress:
    """One learner's progress, merged from every source that names them.

    Attributes:
        name: The learner's name, as first seen.
        sources: Where the progress came from (file names, ``gradebook``).
        cells: Progress per graded cell, merged.
    """

    name: str
    sources: tuple[str, ...]
    cells: tuple[CellProgress, ...]

    @property
    def progress(self) -> CourseProgress:
        """The learner's progress per exercise."""
        return summarize(self.cells)


@dataclass(frozen=True)
class TeamReport:
    """Every learner's progress in every exercise.

    Attributes:
        learners: One entry per learner, sorted by name.
        notes: What the facilitator should know: skipped files, unknown
            exercises, learners without progress.
    """

    learners: tuple[LearnerProgress, ...]
    notes: tuple[str, ...] = ()

    @property
    def exercises(self) -> list[str]:
        """The exercise ids, the table's columns, in course order."""
        return [lesson.slug for lesson in EXERCISES]

    def scores(self) -> list[list[float | None]]:
        """Return the table: a row per learner, a score or ``None`` per exercise.

        Returns:
            ``None`` where the learner has not started the exercise.
        """
        table = []
        for learner in self.learners:
            progress = learner.progress
            table.append(
                [
                    item.score if item.status is not Status.NOT_STARTED else None
                    for item in progress.exercises
                ]
            )
        return table


@dataclass
class _Collector:
    found: dict[str, tuple[str, list[str], list[list[CellProgress]]]] = field(
        default_factory=dict
    )
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, source: str, cells: Iterable[CellProgress]) -> None:
        key = learner_key(name)
        if not key:
            key, name = learner_key(source), source
        first, sources, parts = self.found.setdefault(key, (name, [], []))
        if sources:
            self.notes.append(
                f"{name!r} ({source}) is the same learner as {first!r} "
                f"({', '.join(sources)}): merged, best score per cell kept."
            )
        sources.append(source)
        parts.append(list(cells))

    def report(self) -> TeamReport:
        learners = []
        for name, sources, parts in self.found.values():
            learner = LearnerProgress(name, tuple(sources), tuple(merge_cells(*parts)))
            progress = learner.progress
            if progress.unknown:
                self.notes.append(
                    f"{name}: progress in exercises this course version does not "
                    f"have, left out: {', '.join(progress.unknown)}."
                )
            if not any(item.cells for item in progress.exercises):
                self.notes.append(f"{name}: no progress yet.")
            learners.append(learner)
        learners.sort(key=lambda item: learner_key(item.name))
        return TeamReport(tuple(learners), tuple(self.notes))


def _read_exports(folder: Path, collector: _Collector) -> None:
    if not folder.is_dir():
        raise ProgressError(folder, "no such folder of progress exports")
    files = sorted(folder.glob("*.json"))
    if not files:
        collector.notes.append(f"No export files (*.json) in {folder}.")
    for path in files:
        try:
            export = read_export(path)
        except ProgressError as error:
            collector.notes.append(f"Skipped {path.name}: {error}")
            continue
        collector.add(export.learner, path.name, export.entries)


def _is_gradebook(path: Path) -> bool:
    uri = path.resolve().as_uri()
    try:
        connection = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        tables = {
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
    except sqlite3.Error:
        return False
    finally:
        connection.close()
    return {"student", "assignment", "grade"} <= tables


def _read_gradebook(path: Path, collector: _Collector) -> None:
    if not path.is_file() or not _is_gradebook(path):
        raise ProgressError(path, "not an nbgrader gradebook (gradebook.db)")
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{path.resolve()}", course_id="") as gradebook:
        assignments = [assignment.name for assignment in gradebook.assignments]
        for student in gradebook.students:
            cells = []
            for assignment in assignments:
                try:
                    submission = gradebook.find_submission(assignment, student.id)
                except MissingEntry:
                    continue
                moment = submission.timestamp
                when = timestamp(moment.replace(tzinfo=UTC)) if moment else ""
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        score = float(grade.score)
                        cells.append(
                            CellProgress(
                                exercise=assignment,
                                cell=str(grade.name),
                                best=score,
                                latest=score,
                                max_score=float(grade.max_score),
                                attempts=1,
                                first_at=when,
                                updated_at=when,
                            )
                        )
            collector.add(str(student.id), "gradebook", cells)


def collect_team_report(
    exports: Path | None = None, gradebook: Path | None = None
) -> TeamReport:
    """Read learners' progress from export files and/or an nbgrader gradebook.

    Args:
        exports: A folder of export files (``*.json``).
        gradebook: An nbgrader ``gradebook.db``.

    Returns:
        The report.

    Raises:
        ProgressError: A source given cannot be read at all (a missing folder,
            a file that is no gradebook). Single unreadable export files are
            skipped and noted instead.
    """
    collector = _Collector()
    if exports is not None:
        _read_exports(exports, collector)
    if gradebook is not None:
        _read_gradebook(gradebook, collector)
    if exports is None and gradebook is None:
        collector.notes.append(
            "No source given: pass a folder of exports or a gradebook."
        )
    return collector.report()


def _cell_text(score: float | None) -> str:
    return "" if score is None else f"{score:g}"


def render_csv(report: TeamReport) -> str:
    """Render the table as CSV: a row per learner, a column per exercise.

    Args:
        report: The team report.

    Returns:
        CSV text; an empty cell means not started.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["learner", *report.exercises, "total", "passed"])
    for learner, row in zip(report.learners, report.scores(), strict=True):
        progress = learner.progress
        writer.writerow(
            [
                learner.name,
                *(_cell_text(score) for score in row),
                f"{progress.score:g}",
                progress.passed,
            ]
        )
    return buffer.getvalue()


def _colour(score: float | None) -> str:
    if score is None:
        return "#eeeeee"
    share = max(0.0, min(1.0, score / EXERCISE_POINTS))
    red = round(255 - share * (255 - 46))
    green = round(235 - share * (235 - 125))
    blue = round(238 - share * (238 - 50))
    return f"#{red:02x}{green:02x}{blue:02x}"


def render_fragment(report: TeamReport, png: bytes | None = None) -> str:
    """Render the report as an HTML fragment (for a notebook).

    Args:
        report: The team report.
        png: The heatmap, embedded when given.

    Returns:
        A ``<div>`` with the table, the heatmap and the notes.
    """
    numbers = [f"<th title='{slug}'>{slug[:2]}</th>" for slug in report.exercises]
    head = f"<tr><th>learner</th>{''.join(numbers)}<th>total</th><th>passed</th></tr>"
    rows = []
    for learner, row in zip(report.learners, report.scores(), strict=True):
        progress = learner.progress
        cells = "".join(
            f"<td style='background:{_colour(score)}'>{_cell_text(score)}</td>"
            for score in row
        )
        rows.append(
            f"<tr><th title='{html.escape(', '.join(learner.sources))}'>"
            f"{html.escape(learner.name)}</th>{cells}"
            f"<td><b>{progress.score:g}</b></td><td>{progress.passed}</td></tr>"
        )
    image = ""
    if png is not None:
        data = base64.b64encode(png).decode()
        image = (
            "<p><img alt='heatmap' style='max-width:100%' "
            f"src='data:image/png;base64,{data}'></p>"
        )
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in report.notes)
    legend = ", ".join(
        f"{lesson.number:02d} {html.escape(lesson.title)}" for lesson in EXERCISES
    )
    return (
        "<div class='course-team-report'><style>"
        ".course-team-report td,.course-team-report th{border:1px solid #ccc;"
        "padding:2px 6px;text-align:center}"
        ".course-team-report tr th:first-child{text-align:left}</style>"
        f"<p>{len(report.learners)} learner(s); points per exercise out of "
        f"{EXERCISE_POINTS:g}, blank = not started.</p>"
        "<table style='border-collapse:collapse'>"
        f"{head}{''.join(rows)}</table>"
        f"<p style='font-size:smaller'>{legend}</p>{image}"
        + (f"<h4>Notes</h4><ul>{notes}</ul>" if notes else "")
        + "</div>"
    )


def render_html(report: TeamReport, png: bytes | None = None) -> str:
    """Render the report as one self-contained HTML page.

    Args:
        report: The team report.
        png: The heatmap, embedded when given.

    Returns:
        The page.
    """
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        "<title>Team progress</title>"
        "<style>body{font-family:sans-serif}</style></head><body>"
        f"<h2>Team progress</h2>{render_fragment(report, png)}</body></html>\n"
    )


@dataclass(frozen=True)
class TeamReportFiles:
    """The files :func:`write_team_report` wrote.

    Attributes:
        html: The page with the table, the heatmap and the notes.
        png: The heatmap.
        csv: The table.
    """

    html: Path
    png: Path
    csv: Path


def write_team_report(report: TeamReport, folder: Path) -> TeamReportFiles:
    """Write the report as HTML, PNG and CSV into a folder.

    Args:
        report: The team report.
        folder: Where to write ``team-report.{html,png,csv}`` (created).

    Returns:
        The files written.

    Raises:
        ProgressError: The folder cannot be written.
    """
    from autograder.progress._heatmap import heatmap_png

    png = heatmap_png(report)
    files = TeamReportFiles(
        folder / f"{REPORT_NAME}.html",
        folder / f"{REPORT_NAME}.png",
        folder / f"{REPORT_NAME}.csv",
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        files.png.write_bytes(png)
        files.csv.write_text(render_csv(report), encoding="utf-8")
        files.html.write_text(render_html(report, png), encoding="utf-8")
    except OSError as error:
        raise ProgressError(folder, f"cannot write the report: {error}") from error
    return files
