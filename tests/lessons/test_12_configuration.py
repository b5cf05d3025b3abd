"""Does exercise 12 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/12_configuration`` is graded as nbgrader
grades it (hidden tests in place), and compared cell by cell with
``expected.toml``. The feedback must point at the learner's lines, keep a
hard-coded credential's value out of the message, and never show a hidden
test.
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

EXERCISE = "12_configuration"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
TEST_CELLS = ("check_layers", "check_secrets", "check_validation")


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["appconfig"]
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"appconfig": _answer_text(root, name)}, folder, grading=grading
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


def test_hard_coded_configuration_is_shown_at_its_line_without_the_secret(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cell = _grade(root, "hardcoded", tmp_path, worker)["check_hardcoded"]
    [credential] = _findings(cell, "config.hardcoded-credential")
    assert credential.location is not None
    assert credential.location.cell == "appconfig"
    assert _line("hardcoded", credential.location.line).startswith("API_TOKEN = ")
    assert "`API_TOKEN`" in credential.message
    assert credential.link == "12_configuration#Secrets-come-only-from-the-environment"
    [path] = _findings(cell, "config.hardcoded-path")
    assert "`/etc/shop/settings.toml`" in path.message
    [url] = _findings(cell, "config.hardcoded-url")
    assert "https://wiki.example.com/shop/settings" in url.message
    [ruff] = _findings(cell, "style.S105")
    assert ruff.location is not None
    assert ruff.location.line == credential.location.line
    shown = json.dumps([f.to_dict() for o in cell.outcomes for f in o.findings])
    assert "sk-live" not in shown


def test_a_hidden_test_that_fails_is_named_never_shown(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "file_over_env", tmp_path, worker)
    layers = cells["check_layers"]
    [public] = _findings(layers, "tests.failed")
    assert "test_the_environment_overrides_the_file" in public.message
    hidden = _findings(layers, "tests.hidden-failed")
    assert {
        "test_the_environment_wins_for_every_setting",
        "test_os_environ_is_read_when_no_environment_is_given",
    } <= {name for f in hidden for name in f.message.split("`")}
    shown = json.dumps([f.to_dict() for o in layers.outcomes for f in o.findings])
    assert "from-env" not in shown
    assert "8123" not in shown


def test_a_missing_token_that_is_a_key_error_is_reported_as_a_crash(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    secrets = _grade(root, "builtin_errors", tmp_path, worker)["check_secrets"]
    crashes = _findings(secrets, "tests.crashed")
    assert any("KeyError: 'SHOP_API_TOKEN'" in f.message for f in crashes)
    located = [f for f in crashes if f.location is not None]
    assert located
    assert all(f.location and f.location.cell == "appconfig" for f in located)


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_table", tmp_path, worker, grading=False)
    for cell_id in TEST_CELLS:
        assert cells[cell_id].passed
        assert cells[cell_id].has_hidden_tests
        assert cells[cell_id].mode.value == "public"


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
