"""Does exercise 10 give each kind of submission exactly the points it should?

Every submission in ``tests/fixtures/10_security`` is graded as nbgrader
grades it (hidden names, payloads and passwords in place), and compared cell
by cell with ``expected.toml``. The feedback must point at the learner's
lines and never show a hidden payload.
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

EXERCISE = "10_security"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / EXERCISE
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text("utf-8"))
SECURITY_CELLS = ("check_sql", "check_paths", "check_eval", "check_passwords")


def _answer_text(root: Path, name: str) -> str:
    if name == "solution":
        spec = source_spec(root, EXERCISE)
        return read_cells(spec.notebook_path).sources["accounts"]
    if name == "vulnerable_unchanged":
        return (root / "exercises" / EXERCISE / "accounts_vulnerable.py").read_text()
    return (FIXTURES / f"{name}.py").read_text()


def _grade(
    root: Path, name: str, folder: Path, worker: WorkerClient, *, grading: bool = True
) -> dict[str, CellReport]:
    notebook = make_submission(
        root, EXERCISE, {"accounts": _answer_text(root, name)}, folder, grading=grading
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


def test_users_sql_is_the_database_the_sql_check_builds(root: Path) -> None:
    spec = source_spec(root, EXERCISE)
    [check] = spec.cells["check_sql"].checks
    shipped = (root / "solutions" / EXERCISE / "users.sql").read_text("utf-8")
    assert check.options["setup"].strip() == shipped.strip()


def test_hand_escaping_is_shown_at_the_line_that_builds_the_statement(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    sql = _grade(root, "escaped_by_hand", tmp_path, worker)["check_sql"]
    [finding] = _findings(sql, "security.sql-input-in-statement")
    assert finding.location is not None
    assert finding.location.cell == "accounts"
    assert "{safe}" in _line("escaped_by_hand", finding.location.line)
    assert "WHERE username = 'zq''marker-7070'" in finding.message
    assert "built with an f-string" in finding.message
    assert finding.link == "10_security#SQL-injection"


def test_a_leak_names_the_file_outside_and_points_at_the_reader(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    paths = _grade(root, "startswith_realpath", tmp_path, worker)["check_paths"]
    leaks = _findings(paths, "security.path-leak")
    assert leaks
    first = leaks[0]
    assert "`'../files-private/secret.txt'`" in first.message
    assert "returned the text of `files-private/secret.txt`" in first.message
    assert first.location is not None
    assert "def read_attachment" in _line("startswith_realpath", first.location.line)
    fuzzed = [f for f in leaks if "generated path" in f.message]
    assert fuzzed
    assert "(hypothesis, seed 10)" in fuzzed[0].message
    assert "/tmp" not in " ".join(f.message for f in leaks)


def test_hidden_payloads_are_named_by_kind_never_by_text(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "filters", tmp_path, worker)
    [ran] = _findings(cells["check_eval"], "security.eval-ran")
    assert "a hidden payload (names spelled in pieces to slip past filters)" in (
        ran.message
    )
    shown = json.dumps(
        [
            f.to_dict()
            for cell in cells.values()
            for o in cell.outcomes
            for f in o.findings
        ]
    )
    for hidden in ("globals()", "oR 1=1", "UPDATE users", "Robert'", "/..{root}"):
        assert hidden not in shown


def test_the_vulnerable_module_is_told_what_breaks_first(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "vulnerable_unchanged", tmp_path / "graded", worker)
    [crash, _bobby] = _findings(cells["check_sql"], "security.sql-honest-crashed")
    assert '`find_user(connection, "O\'Brien")` raised OperationalError' in (
        crash.message
    )
    assert _findings(cells["check_eval"], "security.eval-ran")
    assert _findings(cells["check_passwords"], "security.password-unsalted")
    lint = {f.id for o in cells["check_lint"].outcomes for f in o.findings}
    assert {"style.S608", "style.S307", "style.S324"} <= lint


def test_public_self_check_of_a_correct_answer_says_more_run_at_grading(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    cells = _grade(root, "alt_scrypt", tmp_path, worker, grading=False)
    for cell_id in SECURITY_CELLS:
        assert cells[cell_id].passed
        assert cells[cell_id].has_hidden_tests
        assert cells[cell_id].mode.value == "public"


def test_course_verify_passes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"ok   solutions/{EXERCISE}: 10/10" in out
    assert f"ok   exercises/{EXERCISE}: 0/10" in out
