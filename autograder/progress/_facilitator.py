"""The facilitator's panel: the team report in a notebook, with a refresh button."""

from __future__ import annotations

import html
import logging
from pathlib import Path

import ipywidgets as widgets

from autograder._errors import ProgressError
from autograder.progress._team import (
    TeamReport,
    collect_team_report,
    render_fragment,
    write_team_report,
)

logger = logging.getLogger(__name__)


class TeamPanel(widgets.VBox):  # type: ignore[misc]
    """The team report of a folder of exports and/or a gradebook, refreshable.

    A source that does not exist (yet) is said in the panel, not raised: the
    facilitator can create it and press Refresh.

    Args:
        exports: A folder of learners' export files.
        gradebook: An nbgrader ``gradebook.db``.
        out: Where the Save button writes ``team-report.{html,png,csv}``.
    """

    def __init__(
        self,
        exports: Path | None = None,
        gradebook: Path | None = None,
        out: Path | None = None,
    ) -> None:
        """Build the panel and show the report."""
        refresh = widgets.Button(description="Refresh", icon="refresh")
        save = widgets.Button(description="Save report files", icon="save")
        super().__init__(
            [
                widgets.HBox([refresh, save]),
                status := widgets.HTML(),
                content := widgets.HTML(),
            ]
        )
        self.add_class("course-team-panel")
        self.exports = exports
        self.gradebook = gradebook
        self.out = out or Path("team-report")
        self.refresh_button = refresh
        self.save_button = save
        self.status = status
        self.content = content
        self.report = TeamReport(())
        refresh.on_click(lambda _button: self.refresh())
        save.on_click(lambda _button: self.save())
        self.refresh()

    def refresh(self) -> None:
        """Read the sources again and show the report."""
        from autograder.progress._heatmap import heatmap_png

        missing = []
        exports, gradebook = self.exports, self.gradebook
        if exports is not None and not exports.is_dir():
            missing.append(f"no folder {exports} yet")
            exports = None
        if gradebook is not None and not gradebook.is_file():
            missing.append(f"no gradebook {gradebook} yet")
            gradebook = None
        try:
            self.report = collect_team_report(exports, gradebook)
        except ProgressError as error:
            self.status.value = f"<b>Cannot read:</b> {html.escape(str(error))}"
            return
        self.content.value = render_fragment(self.report, heatmap_png(self.report))
        self.status.value = html.escape("; ".join(missing))

    def save(self) -> None:
        """Write the report's HTML, PNG and CSV files into :attr:`out`."""
        try:
            files = write_team_report(self.report, self.out)
        except ProgressError as error:
            self.status.value = f"<b>Cannot save:</b> {html.escape(str(error))}"
            return
        self.status.value = "Saved " + ", ".join(
            f"<code>{html.escape(str(path))}</code>"
            for path in (files.html, files.png, files.csv)
        )

    def __repr__(self) -> str:
        """Summarize in one line (the panel's plain-text form)."""
        return f"Team progress: {len(self.report.learners)} learner(s)"
