"""Does exercise 11 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/11_logging`` is graded as nbgrader grades
it (hidden scenarios in place), and compared cell by cell with
``expected.toml``. The feedback must point at the learner's lines and never
show a hidden card number.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from autograder import grade_notebook
from autograder.cli import main
from autograder.feedback import CellReport, Finding
from autograder.notebook import read_cells
from autograder.runner import WorkerClient

from .submissions import make_submission, source_spec

EXERCISE = "11_logging"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
HIDDEN_CARDS = ("5425", "2334", "3010", "9903", "371449635398431")


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["transfers"]
    if name == "print_unchanged":
        return (root / "exercises" / EXERCISE / "transfers_print.py").read_text()
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"transfers": _answer_text(root, name)}, folder, grading=grading
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


def test_a_leaked_card_is_shown_at_the_log_call_that_leaks_it(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    secrets = _grade(root, "logs_card", tmp_path, worker)["check_secrets"]
    leaks = _findings(secrets, "logs.secret-leaked")
    assert len(leaks) == 5
    first = leaks[0]
    assert "`4539 1488 0343 6467`" in first.message
    assert "the message and the arguments of the DEBUG record" in first.message
    assert first.location is not None
    assert first.location.cell == "transfers"
    assert "logger.debug(" in _line("logs_card", first.location.line)
    assert first.link == "11_logging#Keep-secrets-out-of-the-logs"


def test_a_card_in_an_exception_is_found_in_the_applications_log(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    secrets = _grade(root, "secret_in_exception", tmp_path, worker)["check_secrets"]
    [public, hidden] = _findings(secrets, "logs.secret-leaked")
    assert "the exception text of the ERROR record from the logger `app`" in (
        public.message
    )
    assert public.location is not None
    assert "raise TransferError" in _line("secret_in_exception", public.location.line)
    assert "a hidden card number" in hidden.message


def test_logger_error_without_traceback_is_named_as_such(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cell = _grade(root, "error_not_exception", tmp_path, worker)["check_exception"]
    found = _findings(cell, "logs.no-exc-info")
    assert len(found) == 2
    assert "the traceback of the `ConnectionError` is lost" in found[0].message
    assert found[0].location is not None
    assert "logger.error(" in _line("error_not_exception", found[0].location.line)


def test_a_success_logged_at_warning_is_told_its_level(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cell = _grade(root, "wrong_levels", tmp_path, worker)["check_levels"]
    [first, *_] = _findings(cell, "logs.wrong-level")
    assert "is logged at WARNING; this situation calls for INFO" in first.message
    assert first.location is not None
    assert "logger.warning(" in _line("wrong_levels", first.location.line)


def test_basic_config_at_import_points_at_the_call(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cell = _grade(root, "basic_config", tmp_path, worker)["check_library"]
    [finding] = _findings(cell, "logs.configures")
    assert "called `logging.basicConfig` when it was imported" in finding.message
    assert finding.location is not None
    assert "basicConfig" in _line("basic_config", finding.location.line)


def test_hidden_card_numbers_never_reach_the_feedback(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "logs_card", tmp_path, worker)
    shown = json.dumps(
        [
            f.to_dict()
            for cell in cells.values()
            for o in cell.outcomes
            for f in o.findings
        ]
    )
    for hidden in HIDDEN_CARDS:
        assert hidden not in shown


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_filter", tmp_path, worker, grading=False)
    for cell_id in ("check_levels", "check_exception", "check_secrets"):
        assert cells[cell_id].passed
        assert cells[cell_id].has_hidden_tests
        assert cells[cell_id].mode.value == "public"


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
