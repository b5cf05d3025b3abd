"""Does grading read a Markdown answer cell as the Markdown it is declared to be?

Exercise 16's answers are Markdown cells (``format = "markdown"``): the
submission reader must take them without complaint, and complain when one
was turned into a code cell, as it does for a code answer turned into
Markdown. Stock ``nbgrader autograde`` must store such a submission's
grade without flagging its 0-point Markdown answer cells for manual grading.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from nbgrader.api import Gradebook

from autograder.nbgrader import read_submission
from autograder.notebook import read_cells

from ..lessons.submissions import make_submission, source_spec
from .course import nbgrader

EXERCISE = "16_documentation"


def _cells(root: Path) -> list[dict[str, object]]:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    cells: list[dict[str, object]] = json.loads(notebook.read_text("utf-8"))["cells"]
    return cells


def test_markdown_answers_are_read_without_a_problem(root: Path) -> None:
    submission = read_submission(source_spec(root, EXERCISE), _cells(root))
    assert submission.problems == ()
    assert submission.answers["readme"] is not None
    assert submission.answers["readme"].startswith("# pricetag")


def test_a_markdown_answer_turned_into_code_is_noticed(root: Path) -> None:
    cells = _cells(root)
    for cell in cells:
        meta = cell["metadata"]
        assert isinstance(meta, dict)
        if meta.get("nbgrader", {}).get("grade_id") == "changelog":
            cell["cell_type"] = "code"
    submission = read_submission(source_spec(root, EXERCISE), cells)
    assert submission.problems == ("answer cell 'changelog' was turned into code",)


def test_autograde_stores_markdown_answers_without_a_manual_grade(
    root: Path, tmp_path: Path
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(root / "nbgrader_config.py", course)
    shutil.copytree(root / "solutions" / EXERCISE, course / "solutions" / EXERCISE)
    nbgrader(course, "generate_assignment", EXERCISE, "--create")
    written = read_cells(source_spec(root, EXERCISE).notebook_path).sources
    answers = {grade_id: written[grade_id] for grade_id in ("readme", "changelog")}
    folder = course / "submitted" / "ada" / EXERCISE
    make_submission(root, EXERCISE, answers, folder, grading=False)
    nbgrader(course, "autograde", EXERCISE, "--create")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        graded = gradebook.find_submission_notebook(EXERCISE, EXERCISE, "ada")
        flagged = [g.name for g in graded.grades if g.needs_manual_grade]
        score = graded.score
    assert flagged == []
    assert score == 10
