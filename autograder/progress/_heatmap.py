"""The team report's heatmap: learners by exercises, drawn with matplotlib.

It uses matplotlib's object API (a :class:`~matplotlib.figure.Figure` of its
own, no ``pyplot``), so drawing touches no global state and needs no display.
"""

from __future__ import annotations

import io

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from autograder.progress._outline import EXERCISE_POINTS, EXERCISES
from autograder.progress._team import TeamReport

NOT_STARTED_COLOUR = "#d9d9d9"
"""Cells of exercises a learner has not started."""

DARK_TEXT_FROM = 0.6
"""Share of full marks from which a cell's number is written in white."""


def heatmap_png(report: TeamReport, dpi: int = 100) -> bytes:
    """Draw the report's table as a heatmap.

    Args:
        report: The team report.
        dpi: Resolution of the image.

    Returns:
        The PNG image.
    """
    rows = report.scores()
    names = [learner.name for learner in report.learners]
    height = max(len(rows), 1)
    figure = Figure(figsize=(12, 2.6 + 0.38 * height), dpi=dpi, layout="constrained")
    axes = figure.add_subplot()
    values = np.array(
        [[np.nan if score is None else score for score in row] for row in rows]
        or [[np.nan] * len(EXERCISES)],
        dtype=float,
    )
    colours = mpl.colormaps["YlGn"].with_extremes(bad=NOT_STARTED_COLOUR)
    image = axes.imshow(
        np.ma.masked_invalid(values),
        cmap=colours,
        vmin=0,
        vmax=EXERCISE_POINTS,
        aspect="auto",
    )
    axes.set_xticks(
        range(len(EXERCISES)),
        labels=[f"{lesson.number:02d} {lesson.title}" for lesson in EXERCISES],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
        fontsize=8,
    )
    axes.set_yticks(range(height), labels=names or ["(no learners)"])
    axes.set_xticks(np.arange(-0.5, len(EXERCISES)), minor=True)
    axes.set_yticks(np.arange(-0.5, height), minor=True)
    axes.grid(which="minor", color="white", linewidth=1.5)
    axes.tick_params(which="minor", length=0)
    for row, scores in enumerate(rows):
        for column, score in enumerate(scores):
            if score is None:
                continue
            dark = score >= DARK_TEXT_FROM * EXERCISE_POINTS
            axes.text(
                column,
                row,
                f"{score:g}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
            )
    axes.set_title(
        f"Team progress: {len(names)} learner(s), points per exercise "
        f"(of {EXERCISE_POINTS:g}; grey = not started)"
    )
    figure.colorbar(image, ax=axes, label="points", shrink=0.9, pad=0.01)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
