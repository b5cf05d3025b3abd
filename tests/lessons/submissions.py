"""Build learner submissions the way nbgrader grades them.

A submission is the released exercise notebook with the learner's text in the
answer cell; at grading, nbgrader puts the source's test cells (hidden tests
included) back in place. These helpers do the same, so that a test grades
exactly what ``nbgrader autograde`` would.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from autograder import load_exercise
from autograder.spec import ExerciseSpec


def _cells_by_grade_id(notebook: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        cell["metadata"]["nbgrader"]["grade_id"]: cell
        for cell in notebook["cells"]
        if "nbgrader" in cell.get("metadata", {})
    }


def make_submission(
    root: Path,
    assignment: str,
    answers: dict[str, str],
    folder: Path,
    *,
    grading: bool = True,
) -> Path:
    """Write a submission folder and return its notebook.

    Args:
        root: The course repository.
        assignment: The exercise, such as ``01_pep8``.
        answers: Text for answer cells, by grade id (others stay as released).
        folder: Where to write the submission (created).
        grading: Put the source's test cells back, as nbgrader does.

    Returns:
        The submitted notebook's path.
    """
    release = root / "exercises" / assignment
    shutil.copytree(release, folder, dirs_exist_ok=True)
    spec = load_exercise(release)
    notebook_path = folder / spec.notebook
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    cells = _cells_by_grade_id(notebook)
    for grade_id, text in answers.items():
        cells[grade_id]["source"] = text
    if grading:
        source = json.loads(
            (root / "solutions" / assignment / spec.notebook).read_text("utf-8")
        )
        for grade_id, cell in _cells_by_grade_id(source).items():
            if grade_id in spec.cells:
                cells[grade_id]["source"] = cell["source"]
    notebook_path.write_text(json.dumps(notebook), encoding="utf-8")
    return notebook_path


def source_spec(root: Path, assignment: str) -> ExerciseSpec:
    """Read the instructor's declaration of an exercise."""
    return load_exercise(root / "solutions" / assignment)
