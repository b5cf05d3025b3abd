"""Does exercise 05 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/05_tdd`` (a folder with the tests cell,
the cart cell, or both) is graded as nbgrader grades it, with the hidden
reference cart, its mutants and the hidden tests in place, and compared cell
by cell with ``expected.toml``. The hidden material must never reach the
released exercise, nor the feedback.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.feedback import NotebookReport
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "05_tdd"
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
CELLS = {"tests": "tests.py", "cart": "cart.py"}


def _answers(root: Path, name: str) -> dict[str, str]:
    solution = read_cells(source_spec(root, "05_tdd").notebook_path).sources
    answers = {}
    for grade_id, filename in CELLS.items():
        path = FIXTURES / name / filename
        answers[grade_id] = (
            path.read_text("utf-8") if path.is_file() else solution[grade_id]
        )
    return answers


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> NotebookReport:
    notebook = make_submission(
        root, "05_tdd", _answers(root, name), folder, grading=grading
    )
    spec = source_spec(root, "05_tdd") if grading else None
    return grade_notebook(notebook, spec=spec, runner=worker.run)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_scores_what_it_should(
    name: str, root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, name, tmp_path, worker)
    scores = {cell.cell: cell.score for cell in report.cells}
    assert scores == pytest.approx(EXPECTED[name])


def test_every_fixture_folder_is_expected() -> None:
    folders = {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert folders == set(EXPECTED) - {"solution"}


def test_the_untouched_exercise_scores_zero(root: Path, worker: WorkerClient) -> None:
    report = grade_notebook(
        root / "exercises" / "05_tdd" / "05_tdd.ipynb", runner=worker.run
    )
    assert report.score == 0
    assert report.max_score == 10
    assert {f.id for cell in report.cells for f in cell.notes} == {"answer.not-started"}


def test_the_release_holds_none_of_the_hidden_material(root: Path) -> None:
    released = (root / "exercises" / "05_tdd" / "05_tdd.ipynb").read_text("utf-8")
    for secret in ("REFERENCE", "MUTANTS", "BULK_RATE", "COUPON_MINIMUM"):
        assert secret not in released
    source = (root / "solutions" / "05_tdd" / "05_tdd.ipynb").read_text("utf-8")
    assert "MUTANTS" in source  # the check above would pass on a typo otherwise


def test_surviving_mutants_are_named_by_their_bug_never_by_their_code(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "weak_asserts", tmp_path, worker)
    findings = report.cells[0].findings
    survived = [f.message for f in findings if f.id == "testing.mutant-survived"]
    assert len(survived) == 10
    assert any("starts at 11 units instead of 10" in text for text in survived)
    everything = " ".join(
        f.message + f.hint for cell in report.cells for f in cell.findings
    )
    for code in ("BULK_UNITS", "amount -=", "COUPON_VALUE", "round(", ">="):
        assert code not in everything


def test_a_wrong_test_is_shown_at_its_line_in_the_tests_cell(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "wrong_on_reference", tmp_path, worker)
    (wrong,) = [
        f for f in report.cells[0].findings if f.id == "testing.wrong-on-reference"
    ]
    assert "test_ten_units_still_pay_full_price" in wrong.message
    assert "assert 18.0 == 20.0" in wrong.message
    assert wrong.location is not None
    assert (wrong.location.cell, wrong.location.line) == ("tests", 25)


def test_a_self_check_runs_the_tests_on_the_learners_cart_and_says_mutants_come_later(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "alt_parametrized", tmp_path, worker, grading=False)
    tests_cell = report.cells[0]
    assert tests_cell.passed
    assert tests_cell.mode.value == "public"
    assert tests_cell.has_hidden_tests
    assert [f.id for f in tests_cell.findings] == ["testing.mutants-at-grading"]


def test_before_the_cart_exists_the_self_check_is_red(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    report = _grade(root, "tests_only", tmp_path, worker, grading=False)
    tests_cell = report.cells[0]
    assert tests_cell.score == 0
    (finding,) = tests_cell.findings
    assert finding.id == "testing.nothing-to-test-yet"
    assert finding.location is not None
    assert finding.location.cell == "cart"


@pytest.mark.slow
def test_stock_nbgrader_grades_as_the_engine_and_its_feedback_keeps_the_secrets(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbgrader.api import Gradebook

    # Parity and secrecy are tested here, not speed: three kernels grading
    # at once on a busy machine must not turn a slow check into a timeout.
    monkeypatch.setenv("COURSE_CHECK_TIMEOUT", "60")
    monkeypatch.setenv("COURSE_CPU_LIMIT", "60")

    from ..build.test_nbgrader_flow import nbgrader

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(root / "nbgrader_config.py", course)
    shutil.copytree(root / "solutions" / "05_tdd", course / "solutions" / "05_tdd")
    with (course / "nbgrader_config.py").open("a") as config:
        config.write(f"\nc.Exchange.root = {str(tmp_path / 'exchange')!r}\n")
    nbgrader(course, "generate_assignment", "05_tdd", "--create")
    students = {"ada": "alt_parametrized", "bo": "weak_asserts", "cy": None}
    for student, name in students.items():
        answers = _answers(root, name) if name else {}
        folder = course / "submitted" / student / "05_tdd"
        make_submission(root, "05_tdd", answers, folder, grading=False)
    nbgrader(course, "autograde", "05_tdd", "--create")
    nbgrader(course, "generate_feedback", "05_tdd")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = [
            gradebook.find_submission_notebook("05_tdd", "05_tdd", student).score
            for student in students
        ]
    assert scores == pytest.approx([10, 6, 0])
    for student in students:
        feedback = (
            course / "feedback" / student / "05_tdd" / "05_tdd.html"
        ).read_text()
        assert "course-feedback" in feedback
        # the hidden cell's names, a mutant's code, a hidden test's input
        for secret in ("MUTANTS", "REFERENCE", "bulk = True", "(0.99, 12)"):
            assert secret not in feedback
