"""Does ``%%check`` grade in a real kernel, see unsaved edits, and talk to nbgrader?"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.kernel import CellTracker, Checker, Feedback
from autograder.runner import WorkerClient

SOLUTION = Path("solutions") / "01_pep8"


@pytest.mark.slow
def test_the_solution_notebook_runs_and_every_check_shows_its_points(
    root: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "01_pep8"
    shutil.copytree(root / SOLUTION, folder)
    notebook = nbformat.read(folder / "01_pep8.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=120, resources={"metadata": {"path": str(folder)}}
    ).execute()
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded
    for cell in graded:
        outputs = cell.outputs
        assert [o.output_type for o in outputs] == ["execute_result"], cell.source
        points = float(cell.metadata.nbgrader.points)
        assert float(outputs[0].data["text/plain"]) == points
        assert 'class="course-feedback"' in outputs[0].data["text/html"]


def _answer_cell_id(folder: Path) -> str:
    notebook = json.loads((folder / "01_pep8.ipynb").read_text())
    (cell,) = [
        c
        for c in notebook["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "inventory"
    ]
    return str(cell["id"])


BEHAVIOUR_TESTS = (
    "import inventory\n\n\ndef test_total():\n"
    "    assert inventory.total_value([{'qty': 2, 'price': 1.5}]) == 3.0\n"
)


def test_a_run_but_unsaved_edit_is_what_gets_checked(
    root: Path, worker: WorkerClient
) -> None:
    folder = root / SOLUTION
    tracker = CellTracker()
    broken = (
        (root / "tests/fixtures/01_pep8/alt_functional.py")
        .read_text()
        .replace("round(sum(", "-round(sum(")
    )
    tracker.pre_run_cell(
        SimpleNamespace(cell_id=_answer_cell_id(folder), raw_cell=broken)
    )
    checker = Checker(tracker, runner=worker.run, cwd=folder)
    feedback = checker.check("check_behaviour", BEHAVIOUR_TESTS)
    assert feedback.score == 0  # the saved solution would pass; the live edit does not
    assert "assert -3.0 == 3.0" in feedback.text


def test_an_answer_not_run_in_this_kernel_is_read_from_disk_and_said(
    root: Path, worker: WorkerClient
) -> None:
    tracker = CellTracker()
    tracker.pre_run_cell(SimpleNamespace(cell_id="some-other-cell", raw_cell="1 + 1"))
    checker = Checker(tracker, runner=worker.run, cwd=root / SOLUTION)
    feedback = checker.check("check_behaviour", BEHAVIOUR_TESTS)
    assert feedback.score == 3
    assert feedback.report is not None
    assert [f.id for f in feedback.report.notes] == ["answer.not-run"]


def test_feedback_shows_html_and_gives_nbgrader_the_score(
    root: Path, worker: WorkerClient
) -> None:
    checker = Checker(CellTracker(), runner=worker.run, cwd=root / SOLUTION)
    feedback = checker.check("check_imports", "")
    assert isinstance(feedback, Feedback)
    assert repr(feedback) == "1"
    assert 'data-score="1"' in feedback._repr_html_()
    assert (
        'href="../../lessons/' in feedback._repr_html_()
        or "lesson" not in feedback.text
    )


def test_a_folder_without_a_declaration_gives_a_message_not_a_traceback(
    tmp_path: Path,
) -> None:
    feedback = Checker(CellTracker(), cwd=tmp_path).check("anything", "")
    assert feedback.score == 0
    assert "could not start" in feedback.text
    assert "exercise.toml" in feedback.text


def test_a_markdown_answer_is_read_from_the_saved_notebook_and_said(
    root: Path, worker: WorkerClient
) -> None:
    tracker = CellTracker()
    tracker.pre_run_cell(SimpleNamespace(cell_id="some-other-cell", raw_cell="1 + 1"))
    checker = Checker(
        tracker, runner=worker.run, cwd=root / "solutions" / "16_documentation"
    )
    feedback = checker.check("check_sections", "")
    assert feedback.score == 2.5
    assert feedback.report is not None
    assert [f.id for f in feedback.report.notes] == ["answer.markdown-saved"]
    assert "Save the notebook (Ctrl+S)" in feedback.text


@pytest.mark.slow
def test_a_learner_logging_setup_never_puts_course_logs_on_stderr(
    root: Path, tmp_path: Path
) -> None:
    """A graded cell that writes to stderr scores 0 in nbgrader.

    Answers that call ``logging.basicConfig(level=logging.DEBUG)`` (exercise
    11 has one) configure the kernel's root logger; the course's own debug
    records must not reach it.
    """
    folder = tmp_path / "01_pep8"
    shutil.copytree(root / SOLUTION, folder)
    notebook = nbformat.read(folder / "01_pep8.ipynb", as_version=4)
    first_check = next(
        n for n, c in enumerate(notebook.cells) if c.source.startswith("%%check")
    )
    setup = "import logging\n\nlogging.basicConfig(level=logging.DEBUG, force=True)"
    notebook.cells.insert(first_check, nbformat.v4.new_code_cell(setup))
    NotebookClient(
        notebook, timeout=120, resources={"metadata": {"path": str(folder)}}
    ).execute()
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    streams = [o for c in graded for o in c.outputs if o.output_type == "stream"]
    assert streams == []
    for cell in graded:
        points = float(cell.metadata.nbgrader.points)
        assert float(cell.outputs[0].data["text/plain"]) == points
