"""Does exercise 18 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/18_refactoring`` is graded as nbgrader
grades it (the hidden boundary cases in place) and compared cell by cell with
``expected.toml``; ``tangled_pasted`` is the shipped original itself. The
feedback must name the input on which a refactoring changed the behaviour,
point at the learner's line and at lesson 18.
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

EXERCISE = "18_refactoring"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["shipping"]
    if name == "tangled_pasted":
        return (root / "exercises" / EXERCISE / "shipping_tangled.py").read_text()
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"shipping": _answer_text(root, name)}, folder, grading=grading
    )
    spec = source_spec(root, EXERCISE) if grading else None
    report = grade_notebook(notebook, spec=spec, runner=worker.run)
    return {cell.cell: cell for cell in report.cells}


def _findings(cell: CellReport, finding_id: str) -> list[Finding]:
    return [f for o in cell.outcomes for f in o.findings if f.id == finding_id]


def _line(name: str, number: int | None) -> str:
    assert number is not None
    return (FIXTURES / f"{name}.py").read_text().splitlines()[number - 1]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, name, tmp_path, worker)
    scores = {cell_id: cell.score for cell_id, cell in cells.items()}
    assert scores == pytest.approx(EXPECTED[name], abs=0.005)


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    notebook = root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    report = grade_notebook(notebook, runner=worker.run)
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_the_graded_cell_runs_the_shipped_original(root: Path) -> None:
    shipped = (root / "solutions" / EXERCISE / "shipping_tangled.py").read_text()
    code = shipped.split('"""\n\n', 1)[1]
    sources = read_cells(source_spec(root, EXERCISE).notebook_path).sources
    assert code in sources["check_behaviour"]


def test_a_moved_boundary_is_shown_at_the_limit(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "boundary_drift", tmp_path, worker)
    [finding] = _findings(cells["check_behaviour"], "behaviour.differs")
    assert "`shipping_cost(1000, 'domestic', False, False)` returned 750" in (
        finding.message
    )
    assert "where the original returned 450" in finding.message
    assert finding.location is not None
    assert "def shipping_cost" in _line("boundary_drift", finding.location.line)
    assert finding.link == "18_refactoring#Pin-the-behaviour-first"


def test_a_key_error_from_the_table_is_told_apart_from_value_error(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "keyerror_table", tmp_path, worker)
    [finding] = _findings(cells["check_behaviour"], "behaviour.other-error")
    assert "raised KeyError" in finding.message
    assert "the original raised ValueError" in finding.message
    assert finding.location is not None
    assert "[zone]" in _line("keyerror_table", finding.location.line)
    assert finding.link == "18_refactoring#Pin-the-behaviour-first"


def test_each_magic_number_is_named_at_its_line(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "magic_numbers_left", tmp_path, worker)
    findings = _findings(cells["check_constants"], "style.PLR2004")
    numbers = ["1000", "5000", "20000", "1000"]
    for finding, number in zip(findings, numbers, strict=True):
        assert f"replacing `{number}` with a constant" in finding.message
        assert finding.location is not None
        assert number in _line("magic_numbers_left", finding.location.line)
        assert (
            finding.link == "18_refactoring#Replace-magic-numbers-with-named-constants"
        )


def test_nesting_is_reported_with_its_depth(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "still_nested", tmp_path, worker)
    structure = cells["check_structure"]
    [complexity] = _findings(structure, "complexity.C901")
    assert "`shipping_cost` has a cyclomatic complexity of" in complexity.message
    nested = _findings(structure, "complexity.PLR1702")
    assert nested
    assert all("`shipping_cost` nests blocks" in f.message for f in nested)
    links = {f.link for f in (complexity, *nested)}
    assert links == {"18_refactoring#Guard-clauses"}


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_dataclass", tmp_path, worker, grading=False)
    behaviour = cells["check_behaviour"]
    assert behaviour.passed
    assert behaviour.has_hidden_tests
    assert behaviour.mode.value == "public"
    [finding] = _findings(behaviour, "behaviour.at-grading")
    assert "12 listed cases and 300 generated inputs" in finding.message


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
