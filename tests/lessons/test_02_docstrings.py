"""Does exercise 02 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/02_docstrings`` is graded as nbgrader
grades it (hidden tests in place), and compared cell by cell with
``expected.toml``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import CellReport
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "02_docstrings"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["temperatures"]
    if name == "undocumented_unchanged":
        given = root / "exercises" / EXERCISE / "temperatures_undocumented.py"
        return given.read_text()
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"temperatures": _answer_text(root, name)}, folder
    )
    report = grade_notebook(
        notebook, spec=source_spec(root, EXERCISE), runner=worker.run
    )
    return {cell.cell: cell for cell in report.cells}


def _ids(cell: CellReport) -> list[str]:
    return [f.id for outcome in cell.outcomes for f in outcome.findings]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, name, tmp_path, worker)
    scores = {cell_id: cell.score for cell_id, cell in cells.items()}
    assert scores == pytest.approx(EXPECTED[name])


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_a_stale_example_is_shown_at_its_line_with_both_outputs(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    examples = _grade(root, "example_stale", tmp_path, worker)["check_examples"]
    [failed] = [
        f for o in examples.outcomes for f in o.findings if f.id == "doctest.failed"
    ]
    assert failed.location is not None
    assert (failed.location.cell, failed.location.line) == ("temperatures", 8)
    assert "`19.67`" in failed.message
    assert "`19.7`" in failed.message


def test_a_module_without_examples_is_told_to_add_one(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    examples = _grade(root, "no_example", tmp_path, worker)["check_examples"]
    assert _ids(examples) == ["doctest.too-few"]
    assert "`TemperatureSeries`" in examples.outcomes[0].findings[0].message


def test_pydoclint_findings_point_at_the_definition(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    content = _grade(root, "raises_missing", tmp_path, worker)["check_content"]
    findings = [f for o in content.outcomes for f in o.findings]
    assert [f.id for f in findings] == ["docstrings.DOC501"] * 4
    source = (FIXTURES / "raises_missing.py").read_text().splitlines()
    defs = [source[f.location.line - 1].strip() for f in findings if f.location]
    assert defs == [
        "def __init__(self, station, readings=()):",
        "def add(self, celsius):",
        "def mean(self):",
        "def rolling_mean(self, window):",
    ]


def test_the_undocumented_module_is_told_what_is_missing(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "undocumented_unchanged", tmp_path, worker)
    assert set(_ids(cells["check_style"])) == {
        "docstrings.D100",
        "docstrings.D101",
        "docstrings.D102",
        "docstrings.D103",
        "docstrings.D105",
        "docstrings.D107",
    }
    assert _ids(cells["check_content"]) == ["docstrings.nothing-to-compare"] * 6


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    answer = _answer_text(root, "alt_concise")
    notebook = make_submission(
        root, EXERCISE, {"temperatures": answer}, tmp_path, grading=False
    )
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 10
    behaviour = report.cells[-1]
    assert behaviour.has_hidden_tests
    assert behaviour.mode.value == "public"


def test_course_check_passes_the_solution_and_fails_the_exercise(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solution = root / "solutions" / EXERCISE / f"{EXERCISE}.ipynb"
    exercise = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    assert main(["check", str(solution)]) == 0
    assert "10/10" in capsys.readouterr().out
    assert main(["check", str(exercise)]) == 1
    assert "0/10" in capsys.readouterr().out
