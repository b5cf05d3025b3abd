"""Does exercise 01 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/01_pep8`` is graded as nbgrader grades
it (hidden tests in place), and compared cell by cell with ``expected.toml``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "01_pep8"
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, "01_pep8")
        from autograder.notebook import read_cells

        return read_cells(spec.notebook_path).sources["inventory"]
    if name == "messy_unchanged":
        return (root / "exercises" / "01_pep8" / "inventory_messy.py").read_text()
    return (FIXTURES / f"{name}.py").read_text()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    notebook = make_submission(
        root, "01_pep8", {"inventory": _answer_text(root, name)}, tmp_path
    )
    report = grade_notebook(
        notebook, spec=source_spec(root, "01_pep8"), runner=worker.run
    )
    scores = {cell.cell: cell.score for cell in report.cells}
    assert scores == pytest.approx(EXPECTED[name])


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    report = grade_notebook(
        root / "exercises" / "01_pep8" / "01_pep8.ipynb", runner=worker.run
    )
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_a_syntax_error_is_reported_once_at_its_line(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    notebook = make_submission(
        root, "01_pep8", {"inventory": _answer_text(root, "syntax_error")}, tmp_path
    )
    report = grade_notebook(
        notebook, spec=source_spec(root, "01_pep8"), runner=worker.run
    )
    finding = report.cells[0].notes[0]
    assert finding.id == "answer.syntax-error"
    assert finding.location is not None
    assert finding.location.line == 12


def test_a_missing_function_is_named(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    notebook = make_submission(
        root, "01_pep8", {"inventory": _answer_text(root, "function_missing")}, tmp_path
    )
    report = grade_notebook(
        notebook, spec=source_spec(root, "01_pep8"), runner=worker.run
    )
    messages = [f.message for f in report.cells[-1].notes]
    assert messages == [
        "MISSING `low_stock`: the exercise asks for it, "
        "and the answer cell does not define it."
    ]


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    answer = _answer_text(root, "alt_functional")
    notebook = make_submission(
        root, "01_pep8", {"inventory": answer}, tmp_path, grading=False
    )
    report = grade_notebook(notebook, runner=worker.run)
    behaviour = report.cells[-1]
    assert behaviour.passed
    assert behaviour.has_hidden_tests
    assert behaviour.mode.value == "public"


def test_course_check_exit_code_says_pass_or_fail(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(root / "solutions" / "01_pep8" / "01_pep8.ipynb")]) == 0
    assert "10/10" in capsys.readouterr().out
    assert main(["check", str(root / "exercises" / "01_pep8" / "01_pep8.ipynb")]) == 1
    assert "0/10" in capsys.readouterr().out


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "ok   solutions/01_pep8: 10/10" in out
    assert "ok   exercises/01_pep8: 0/10" in out
