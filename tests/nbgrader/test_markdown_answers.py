"""Does grading read a Markdown answer cell as the Markdown it is declared to be?

Exercise 16's answers are Markdown cells (``format = "markdown"``): the
submission reader must take them without complaint, and complain when one
was turned into a code cell, as it does for a code answer turned into
Markdown.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.nbgrader import read_submission

from ..lessons.submissions import source_spec

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
