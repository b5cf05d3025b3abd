"""Do the course's notebooks end with the panel, and carry no widget state?

A widget output or saved widget state in a committed notebook shows "Error
displaying widget" (or stale progress) when a learner opens it: notebooks are
committed without outputs, and the panel is built fresh by its cell.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PANEL = "from autograder.progress import show_progress\n\nshow_progress()"
WITH_PANEL = [
    "lessons/00_welcome.ipynb",
    "lessons/01_pep8.ipynb",
    "solutions/01_pep8/01_pep8.ipynb",
    "exercises/01_pep8/01_pep8.ipynb",
]


def notebooks(root: Path) -> list[Path]:
    return sorted(
        path
        for folder in ("lessons", "exercises", "solutions")
        for path in (root / folder).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts
    )


def source(cell: dict[str, object]) -> str:
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else str(text)


def test_no_committed_notebook_has_widget_state_or_widget_output(root: Path) -> None:
    for path in notebooks(root):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        assert "widgets" not in notebook["metadata"], path
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                assert "application/vnd.jupyter.widget-view+json" not in data, path


@pytest.mark.parametrize("name", WITH_PANEL)
def test_the_notebook_ends_with_the_progress_panel(root: Path, name: str) -> None:
    notebook = json.loads((root / name).read_text(encoding="utf-8"))
    last = notebook["cells"][-1]
    assert last["cell_type"] == "code"
    assert source(last) == PANEL


def test_the_exercise_panel_cell_is_locked_and_not_graded(root: Path) -> None:
    notebook = json.loads(
        (root / "solutions/01_pep8/01_pep8.ipynb").read_text(encoding="utf-8")
    )
    meta = notebook["cells"][-1]["metadata"]["nbgrader"]
    assert meta == {
        "grade": False,
        "grade_id": "progress",
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
