"""Learner progress: the store, the live panel, export/import, the team report.

- :mod:`~autograder.progress._outline` — the twenty lessons, as data.
- :class:`ProgressStore` — best and latest score per graded cell, in SQLite.
- :func:`record_report` — the ``%%check`` listener that fills the store.
- :func:`show_progress` — the learner's live panel (ipywidgets).
- :func:`export_progress` / :func:`import_progress` — a versioned JSON file.
- :func:`collect_team_report` / :func:`write_team_report` / :func:`team_panel` —
  many learners' progress as a table, a heatmap and CSV.

The widgets are imported only when a panel is shown, so loading the kernel
extension stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.progress._listener import kernel_store, record_report
from autograder.progress._outline import (
    EXERCISE_POINTS,
    EXERCISES,
    OUTLINE,
    Lesson,
    course_version,
    find_course_root,
    find_lesson,
)
from autograder.progress._store import (
    SCHEMA_VERSION,
    CellProgress,
    MergeResult,
    ProgressStore,
    StoreRecovery,
    store_path,
)
from autograder.progress._summary import (
    CourseProgress,
    ExerciseProgress,
    NextStep,
    Status,
    next_step,
    render_text,
    summarize,
)
from autograder.progress._team import (
    LearnerProgress,
    TeamReport,
    TeamReportFiles,
    collect_team_report,
    render_csv,
    write_team_report,
)
from autograder.progress._transfer import (
    EXPORT_VERSION,
    ProgressExport,
    export_progress,
    import_progress,
    merge_cells,
    read_export,
)

if TYPE_CHECKING:
    from autograder.progress._facilitator import TeamPanel
    from autograder.progress._widget import ProgressPanel


def show_progress(here: str | None = None) -> ProgressPanel | Any:
    """Show the learner's live progress panel: the last cell of every notebook.

    Args:
        here: Slug of the lesson or exercise showing it; guessed when omitted.

    Returns:
        The panel (the cell displays it), or a note while nbgrader grades.
    """
    from autograder.progress._widget import show_progress as show

    return show(here)


def team_panel(
    exports: Path | None = None,
    gradebook: Path | None = None,
    out: Path | None = None,
) -> TeamPanel:
    """Show the team report in a notebook, with a Refresh button.

    Args:
        exports: A folder of learners' export files.
        gradebook: An nbgrader ``gradebook.db``.
        out: Where the Save button writes the report's files.

    Returns:
        The panel.
    """
    from autograder.progress._facilitator import TeamPanel

    return TeamPanel(exports, gradebook, out)


__all__ = [
    "EXERCISES",
    "EXERCISE_POINTS",
    "EXPORT_VERSION",
    "OUTLINE",
    "SCHEMA_VERSION",
    "CellProgress",
    "CourseProgress",
    "ExerciseProgress",
    "LearnerProgress",
    "Lesson",
    "MergeResult",
    "NextStep",
    "ProgressExport",
    "ProgressStore",
    "Status",
    "StoreRecovery",
    "TeamReport",
    "TeamReportFiles",
    "collect_team_report",
    "course_version",
    "export_progress",
    "find_course_root",
    "find_lesson",
    "import_progress",
    "kernel_store",
    "merge_cells",
    "next_step",
    "read_export",
    "record_report",
    "render_csv",
    "render_text",
    "show_progress",
    "store_path",
    "summarize",
    "team_panel",
    "write_team_report",
]
