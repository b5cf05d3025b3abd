"""Does exercise 04 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/04_modular_design`` is graded as nbgrader
grades it (hidden tests in place), and compared cell by cell with
``expected.toml``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import CellReport, Finding
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "04_modular_design"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["orders"]
    if name == "monolith_unchanged":
        return (root / "exercises" / EXERCISE / "orders_monolith.py").read_text()
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"orders": _answer_text(root, name)}, folder, grading=grading
    )
    spec = source_spec(root, EXERCISE) if grading else None
    report = grade_notebook(notebook, spec=spec, runner=worker.run)
    return {cell.cell: cell for cell in report.cells}


def _findings(cell: CellReport, finding_id: str) -> list[Finding]:
    return [f for o in cell.outcomes for f in o.findings if f.id == finding_id]


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


def test_a_print_in_the_core_is_shown_at_its_line_with_who_reaches_it(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    pure = _grade(root, "prints_in_core", tmp_path, worker)["check_pure"]
    [finding] = _findings(pure, "purity.io-call")
    source = (FIXTURES / "prints_in_core.py").read_text().splitlines()
    assert finding.location is not None
    assert finding.location.cell == "orders"
    assert "print(" in source[(finding.location.line or 0) - 1]
    assert "`build_report`" in finding.message
    assert "`process_orders`" in finding.hint


def test_an_open_file_handed_to_the_core_is_caught_only_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    public = _grade(root, "file_in_core", tmp_path / "public", worker, grading=False)
    assert public["check_pure"].passed
    graded = _grade(root, "file_in_core", tmp_path / "graded", worker)
    [finding] = _findings(graded["check_pure"], "purity.open-file-argument")
    assert "`build_report`" in finding.message
    assert finding.location is not None
    assert finding.location.line is not None


def test_a_breach_of_a_size_limit_names_the_function_and_the_numbers(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    size = _grade(root, "one_complex_function", tmp_path, worker)["check_size"]
    [finding] = _findings(size, "complexity.C901")
    assert finding.message == (
        "`build_report` has a cyclomatic complexity of 6; the limit is 5."
    )
    assert finding.location is not None
    assert finding.location.line is not None


def test_the_monolith_is_told_which_units_are_missing(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "monolith_unchanged", tmp_path, worker)
    missing = {f.message for f in cells["check_size"].notes}
    assert any("`parse_order`" in message for message in missing)
    assert not _findings(cells["check_size"], "complexity.C901")


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_buffer", tmp_path, worker, grading=False)
    for cell_id in ("check_units", "check_pure"):
        assert cells[cell_id].passed
        assert cells[cell_id].has_hidden_tests
        assert cells[cell_id].mode.value == "public"


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
