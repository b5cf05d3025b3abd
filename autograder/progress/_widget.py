"""The learner's progress panel: an ipywidgets view of the store that stays live.

:func:`show_progress` (the last cell of every lesson and exercise) shows every
exercise of the outline with its status and score, the course's total, where
to go next, and buttons to export and import progress. The panel refreshes
itself when any kernel records a check, through this kernel's
:class:`~autograder.progress._watch.StoreWatcher`: the learner never re-runs
its cell. Only one panel per kernel is live; showing a new one closes the old.
"""

from __future__ import annotations

import base64
import html
import logging
import os
import threading
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML, FileLink

from autograder._errors import ProgressError
from autograder.progress._listener import grading_in_progress, kernel_store
from autograder.progress._outline import (
    EXERCISE_POINTS,
    EXERCISES,
    Lesson,
    course_points,
    find_course_root,
    find_lesson,
)
from autograder.progress._store import ProgressStore
from autograder.progress._summary import (
    CourseProgress,
    ExerciseProgress,
    Status,
    next_step,
    summarize,
)
from autograder.progress._transfer import (
    ProgressExport,
    default_export_name,
    export_progress,
    import_progress,
)
from autograder.progress._watch import watcher_for

logger = logging.getLogger(__name__)

COLUMNS = "2.2em minmax(9em, 14em) 8.5em minmax(6em, 10em) 4.5em 7.5em"
"""Grid columns: number, lesson, status, bar, score, exercise link."""

STYLE = """<style>
.course-progress .widget-html-content { white-space: nowrap; }
.course-progress.jupyter-widgets-disconnected > * { display: none !important; }
.course-progress.jupyter-widgets-disconnected::after {
  content: "The kernel was restarted: run this cell again to see your progress.";
  font-style: italic;
}
</style>"""
"""The panel's own CSS. After a kernel restart the front end marks the old
panel disconnected; it then says how to bring it back instead of showing dead
widgets."""

_STATUS_LOOK = {
    Status.PASSED: ("✔ passed", "#2e7d32", "success"),
    Status.IN_PROGRESS: ("◐ in progress", "#ef6c00", "info"),
    Status.NOT_STARTED: ("○ not started", "#757575", ""),
}


def _link(href: str | None, text: str) -> str:
    if href is None:
        return html.escape(text)
    return (
        f'<a href="{html.escape(href)}" target="_blank" rel="noopener" '
        f'style="color:var(--jp-content-link-color,#1976d2)">{html.escape(text)}</a>'
    )


def _relative(target: Path, start: Path) -> str:
    return os.path.relpath(target, start).replace(os.sep, "/")


class LessonRow:
    """The widgets of one exercise's row in the panel.

    Args:
        lesson: The lesson the row shows.
    """

    def __init__(self, lesson: Lesson) -> None:
        """Create the row's widgets, empty."""
        self.lesson = lesson
        self.number = widgets.HTML(f"<b>{lesson.number:02d}</b>")
        self.title = widgets.HTML()
        self.status = widgets.HTML()
        self.bar = widgets.FloatProgress(
            value=0.0,
            min=0.0,
            max=EXERCISE_POINTS,
            layout=widgets.Layout(width="100%"),
        )
        self.score = widgets.Label()
        self.exercise = widgets.HTML()

    @property
    def children(self) -> list[widgets.Widget]:
        """The row's widgets, in grid order."""
        return [
            self.number,
            self.title,
            self.status,
            self.bar,
            self.score,
            self.exercise,
        ]

    def show(self, item: ExerciseProgress, root: Path | None, start: Path) -> None:
        """Show an exercise's progress and links.

        Args:
            item: The exercise's progress.
            root: The course folder, or ``None`` when not inside one.
            start: The folder of the notebook showing the panel.
        """
        lesson = self.lesson
        reading = lesson.lesson_path(root) if root else None
        exercise = lesson.exercise_path(root) if root else None
        lesson_href = (
            _relative(reading, start) if reading and reading.is_file() else None
        )
        self.title.value = _link(lesson_href, lesson.title)
        if exercise is not None and exercise.is_file():
            self.exercise.value = _link(_relative(exercise, start), "exercise")
        else:
            self.exercise.value = '<i style="color:#757575">coming soon</i>'
        text, color, style = _STATUS_LOOK[item.status]
        self.status.value = f'<span style="color:{color}">{text}</span>'
        self.bar.value = min(item.score, item.max_score)
        self.bar.bar_style = style
        self.score.value = (
            f"{item.score:g} / {item.max_score:g}" if item.cells else "–"  # noqa: RUF001
        )


class ProgressPanel(widgets.VBox):  # type: ignore[misc]
    """Every exercise's status and score, the total, the next step, export/import.

    Args:
        store: The learner's progress store.
        root: The course folder, to link lessons and see which exist.
        start: The folder of the notebook showing the panel (links are relative).
        here: The lesson or exercise the panel is shown in, if known.
        watch: Refresh whenever the store changes in any process.
    """

    def __init__(
        self,
        store: ProgressStore,
        root: Path | None,
        start: Path,
        here: str | None = None,
        *,
        watch: bool = True,
    ) -> None:
        """Build the panel and show the store's current progress."""
        rows = {lesson.slug: LessonRow(lesson) for lesson in EXERCISES}
        header = [
            widgets.HTML(f"<b>{text}</b>")
            for text in ("#", "Lesson", "Status", "Score", "", "Exercise")
        ]
        grid = widgets.GridBox(
            [*header, *(child for row in rows.values() for child in row.children)],
            layout=widgets.Layout(
                grid_template_columns=COLUMNS,
                grid_gap="0px 12px",
                align_items="center",
            ),
        )
        overall = widgets.FloatProgress(
            value=0.0,
            min=0.0,
            max=course_points(),
            description="Course",
            bar_style="success",
            layout=widgets.Layout(width="30em"),
        )
        summary = widgets.HTML()
        name = widgets.Text(
            placeholder="your name, saved in exports",
            description="Name",
            continuous_update=False,
            layout=widgets.Layout(width="22em"),
        )
        export_button = widgets.Button(
            description="Export progress",
            icon="download",
            tooltip="Write your progress to a file next to this notebook",
            layout=widgets.Layout(width="auto"),
        )
        upload = widgets.FileUpload(
            accept=".json",
            multiple=False,
            description="Import progress",
            icon="upload",
            layout=widgets.Layout(width="auto"),
        )
        super().__init__(
            [
                widgets.HTML(f"{STYLE}<h3 style='margin:0.2em 0'>Your progress</h3>"),
                widgets.HBox([overall, summary]),
                notice := widgets.HTML(),
                next_html := widgets.HTML(),
                grid,
                widgets.HBox([name, export_button, upload]),
                message := widgets.HTML(),
                output := widgets.Output(),
                widgets.HTML(
                    "<span style='font-size:smaller;color:#757575'>Stored in "
                    f"<code>{html.escape(str(store.path))}</code></span>"
                ),
            ],
            layout=widgets.Layout(
                border="1px solid var(--jp-border-color2, #ccc)", padding="6px 10px"
            ),
        )
        self.add_class("course-progress")
        self.store = store
        self.root = root
        self.start = start
        self.here = here
        self.rows = rows
        self.grid = grid
        self.overall = overall
        self.summary = summary
        self.notice = notice
        self.next_step = next_html
        self.name = name
        self.export_button = export_button
        self.upload = upload
        self.message = message
        self.output = output
        self.progress: CourseProgress = summarize(())
        self._refresh_lock = threading.Lock()
        self._watching = False
        self.refresh()
        try:
            name.value = store.learner()
        except ProgressError as error:
            notice.value = self._warning(str(error))
        name.observe(self._save_name, names="value")
        export_button.on_click(self._export_clicked)
        upload.observe(self._uploaded, names="value")
        if watch:
            watcher_for(store.path).add(self.refresh)
            self._watching = True

    # -- showing -----------------------------------------------------------------

    @staticmethod
    def _warning(text: str) -> str:
        return (
            '<div style="border-left:4px solid #c62828;padding:0.2em 0.6em">'
            f"{html.escape(text)}</div>"
        )

    def refresh(self) -> None:
        """Read the store and update every widget (called on each change)."""
        with self._refresh_lock:
            try:
                cells = self.store.cells()
            except ProgressError as error:
                self.notice.value = self._warning(str(error))
                return
            recovery = self.store.recovery
            self.notice.value = self._warning(recovery.message) if recovery else ""
            self.progress = progress = summarize(cells)
            for item in progress.exercises:
                self.rows[item.lesson.slug].show(item, self.root, self.start)
            self.overall.value = progress.score
            self.summary.value = (
                f"&nbsp;<b>{progress.passed}</b> of {len(progress.exercises)} "
                f"exercises passed · <b>{progress.score:g}</b> / "
                f"{progress.max_score:g} points"
            )
            step = next_step(progress, self.root, self.here)
            self.next_step.value = "<b>Next:</b> " + _link(
                step.href(self.start), step.text
            )

    def __repr__(self) -> str:
        """Summarize in one line (the panel's plain-text form)."""
        progress = self.progress
        return (
            f"Progress: {progress.passed} of {len(progress.exercises)} exercises "
            f"passed, {progress.score:g}/{progress.max_score:g} points"
        )

    def close(self) -> None:
        """Stop refreshing and close the panel and its widgets."""
        if getattr(self, "_watching", False):
            self._watching = False
            watcher_for(self.store.path).remove(self.refresh)
        rows = getattr(self, "rows", {})
        for row in rows.values():
            for child in row.children:
                child.close()
        for child in self.children:
            for inner in getattr(child, "children", ()):
                inner.close()
            child.close()
        super().close()

    # -- export and import -----------------------------------------------------------

    def _save_name(self, change: dict[str, Any]) -> None:
        try:
            self.store.set_learner(str(change["new"]))
        except ProgressError as error:
            self.message.value = self._warning(str(error))

    def _export_clicked(self, _button: widgets.Button) -> None:
        self.export()

    def export(self) -> Path | None:
        """Write the progress to a file next to the notebook and link to it.

        Returns:
            The file written, or ``None`` if it could not be written.
        """
        path = self.start / default_export_name(self.store.clock())
        try:
            export = export_progress(self.store, path, self.name.value)
        except ProgressError as error:
            self.message.value = self._warning(str(error))
            return None
        data = base64.b64encode(export.to_json().encode()).decode()
        self.message.value = (
            f"Exported {len(export.entries)} graded cell(s) to <code>"
            f"{html.escape(path.name)}</code>, next to this notebook. "
            f'<a download="{html.escape(path.name)}" '
            f'href="data:application/json;base64,{data}">Download it</a> '
            "and keep it: import it here in a new session."
        )
        self.output.clear_output()
        self.output.append_display_data(FileLink(path.name))  # type: ignore[no-untyped-call]
        return path

    def _uploaded(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        lines = []
        for item in files:
            name = str(item.get("name", "upload"))
            try:
                export = ProgressExport.from_json(bytes(item["content"]), Path(name))
                result = import_progress(self.store, export)
            except ProgressError as error:
                lines.append(self._warning(str(error)))
                continue
            lines.append(
                f"Imported <code>{html.escape(name)}</code>: {result.added} new "
                f"cell(s), {result.improved} improved, {result.unchanged} already "
                "as good or better here."
            )
        self.message.value = "<br>".join(lines)
        self.upload.value = ()
        if self.name.value != self.store.learner():
            self.name.value = self.store.learner()
        self.refresh()

    def import_bytes(self, name: str, content: bytes) -> None:
        """Import an export as if it had been uploaded with the Import button.

        Args:
            name: The file's name, for messages.
            content: The file's content.
        """
        self._uploaded({"new": ({"name": name, "content": memoryview(content)},)})


_live: list[ProgressPanel] = []


def _here(start: Path) -> str | None:
    session = os.environ.get("JPY_SESSION_NAME", "")
    candidates = [Path(session).stem] if session.endswith(".ipynb") else []
    candidates.append(start.name)
    for candidate in candidates:
        if find_lesson(candidate) is not None:
            return candidate
    return None


def show_progress(here: str | None = None) -> ProgressPanel | HTML:
    """Show the learner's progress panel (the last cell of a lesson or exercise).

    The panel is live: a check run in any notebook updates it. Showing a panel
    closes the one shown before in this kernel.

    Args:
        here: Slug of the lesson or exercise showing it; guessed when omitted.

    Returns:
        The panel (the cell displays it), or a note while nbgrader grades.
    """
    if grading_in_progress():
        return HTML(  # type: ignore[no-untyped-call]
            "<i>The progress panel is not shown while nbgrader grades.</i>"
        )
    while _live:
        _live.pop().close()
    start = Path.cwd()
    panel = ProgressPanel(
        kernel_store(), find_course_root(start), start, here or _here(start)
    )
    _live.append(panel)
    return panel
